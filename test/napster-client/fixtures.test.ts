import { describe, expect, it } from 'vitest';
import { DataPortDecoder, encodeGetRequest, encodeSendRequest, type DataMessage } from '../../protocols/napster/client-data-port.js';
import * as W from '../../protocols/napster/constants.js';
import { loginText, registerText, type LoginIdentity } from '../../protocols/napster/client-login.js';
import { buildSearch, plainSearch } from '../../protocols/napster/client-search-query.js';
import { parseServerFrame } from '../../protocols/napster/client-server-messages.js';
import { buildShareList } from '../../protocols/napster/client-share-list.js';
import { encodeFrame } from '../../protocols/napster/codec.js';
import { splitFields } from '../../protocols/napster/messages.js';
import type { ShareEntry } from '../../src/share/share-entry.js';
import { loadVectors, payload, type VectorRecord } from './vectors.js';

const vectors = loadVectors();
const sent = (type: number): VectorRecord[] => vectors.filter((r) => r.dir === 'to-server' && r.type === type);

function identity(fields: string[], email = ''): LoginIdentity {
  return { nick: fields[0]!, password: fields[1]!, dataPort: Number(fields[2]), clientInfo: fields[3]!, speed: Number(fields[4]), email };
}

describe('our client frames equal the recorded client frames (napster.md vectors)', () => {
  it('has transcripts to compare with', () => {
    expect(vectors.length).toBeGreaterThan(400);
  });

  it('nick check (7), registration (6) and login (2) are byte-identical for the same identity', () => {
    const checks = sent(W.MSG_NICK_CHECK);
    expect(checks.length).toBeGreaterThan(0);
    for (const r of checks) expect(encodeFrame(W.MSG_NICK_CHECK, payload(r))).toEqual(r.bytes);
    let compared = 0;
    for (const r of [...sent(W.MSG_NEW_USER_LOGIN), ...sent(W.MSG_LOGIN)]) {
      const f = splitFields(payload(r));
      // Only well-formed recorded logins (the transcripts also hold deliberately broken ones).
      if (!f || f.length < 5 || f.length > 6 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[4]!)) continue;
      const id = identity(f, f[5]);
      const text = r.type === W.MSG_NEW_USER_LOGIN ? registerText(id) : loginText(id);
      if (payload(r).includes(`"${f[3]!}"`)) {
        expect(encodeFrame(r.type!, text)).toEqual(r.bytes);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(3);
  });

  it('share (100): path, md5 and size fields match, six fields as recorded', () => {
    const shares = sent(W.MSG_SHARE).filter((r) => splitFields(payload(r))?.length === 6 && /^\d+$/.test(splitFields(payload(r))![2]!));
    expect(shares.length).toBeGreaterThan(3);
    for (const r of shares) {
      const f = splitFields(payload(r))!;
      // The recorded client shared `C:\\Music\\x.mp3` (or `/home/c/x.mp3`); the same file under our share
      // root is `Music/x.mp3`, which we share as `\\Music\\x.mp3`: a Windows client's path without its drive.
      const recorded = f[0]!;
      const relPath = recorded.replace(/^[A-Za-z]:/, '').split(/[\\/]/).filter(Boolean).join('/');
      const entry: ShareEntry = { index: 1, name: 'x', relPath, root: '/r', rootReal: '/r', path: '/r/x', size: Number(f[2]), mtimeMs: 0, md5: f[1]! };
      const line = buildShareList([entry]).files.values().next().value!.line;
      const ours = splitFields(line)!;
      expect(ours).toHaveLength(6);
      const wire = `\\${relPath.replaceAll('/', '\\')}`;
      if (recorded.includes('\\')) expect(wire).toBe(recorded.replace(/^[A-Za-z]:/, ''));
      expect(ours.slice(0, 3)).toEqual([wire, f[1], f[2]]);
      expect(line.startsWith(`"${wire}" ${f[1]!} ${f[2]!} `)).toBe(true);
    }
  });

  it('search (200): every well-formed recorded form of ours is reproduced exactly', () => {
    const texts = sent(W.MSG_SEARCH).map(payload);
    const ours = [
      buildSearch(plainSearch('alpha band', 10)),
      buildSearch({ words: ['song'], excludes: ['live'], maxResults: 10 }),
      buildSearch({ ...plainSearch('song', 10), bitrate: { cmp: 'AT LEAST', value: 192 } }),
      buildSearch({ ...plainSearch('song', 10), bitrate: { cmp: 'EQUAL TO', value: 144 } }),
      buildSearch({ ...plainSearch('song', 10), freq: { cmp: 'EQUAL TO', value: 44100 } }),
      buildSearch({ ...plainSearch('song', 10), linespeed: { cmp: 'AT LEAST', value: 5 } }),
      buildSearch({ ...plainSearch('song', 10), size: { cmp: 'AT BEST', value: 4000 } }),
      buildSearch({ ...plainSearch('song', 10), duration: { cmp: 'AT LEAST', value: 250 } }),
      buildSearch({ ...plainSearch('holiday', 10), type: 'image' }),
      buildSearch({ ...plainSearch('holiday', 10), type: 'any' }),
    ];
    for (const t of ours) expect(texts).toContain(t);
  });

  it('download request (203), push request (500) and upload accept (608) are byte-identical', () => {
    for (const type of [W.MSG_DOWNLOAD, W.MSG_PUSH, W.MSG_UPLOAD_ACCEPT]) {
      const rs = sent(type).filter((r) => splitFields(payload(r))?.length === 2);
      expect(rs.length).toBeGreaterThan(0);
      for (const r of rs) {
        const [nick, path] = splitFields(payload(r))!;
        expect(encodeFrame(type, `${nick!} "${path!}"`)).toEqual(r.bytes);
      }
    }
  });

  it('GET and SEND on the data port carry the recorded header bytes', () => {
    const peer = vectors.filter((r) => r.dir === 'peer-send');
    const get = peer.find((r) => r.bytes.toString('latin1').startsWith('bob "C:'))!;
    expect(Buffer.concat([Buffer.from('GET'), get.bytes])).toEqual(encodeGetRequest('bob', 'C:\\Music\\Alpha Band - First Song.mp3', 0));
    const send = peer.find((r) => r.file.startsWith('06') && r.bytes.toString('latin1').startsWith('carol "'))!;
    const [nick, path, size] = splitFields(send.bytes.toString('latin1'))!;
    expect(Buffer.concat([Buffer.from('SEND'), send.bytes])).toEqual(encodeSendRequest(nick!, path!, Number(size)));
  });
});

describe('our client parses every recorded server frame', () => {
  const frames = vectors.filter((r) => r.dir === 'from-server');

  it('no frame is malformed, and each known type gets its own kind', () => {
    expect(frames.length).toBeGreaterThan(200);
    const shown = new Set<number>();
    for (const r of frames) {
      const m = parseServerFrame({ type: r.type!, payload: Buffer.from(payload(r), 'latin1') });
      expect(m.kind, `${r.file} type ${r.type!}: ${JSON.stringify(m)}`).not.toBe('malformed');
      if (m.kind === 'text') shown.add(r.type!);
    }
    // Only frames we show as plain text fall through: linespeed, direct browse, pings and pongs.
    expect([...shown].sort()).toEqual([601, 640, 641, 642, 750, 752].filter((t) => shown.has(t)));
  });

  it('201, 204 and 501 decode the address little-endian (16777343 = 127.0.0.1)', () => {
    const r201 = frames.find((r) => r.type === W.MSG_SEARCH_RESULT)!;
    const m = parseServerFrame({ type: r201.type!, payload: Buffer.from(payload(r201), 'latin1') });
    expect(m.kind === 'search-result' && m.ip).toBe('127.0.0.1');
    const r204 = frames.find((r) => r.type === W.MSG_DOWNLOAD_ACK && payload(r).includes(' 42201 '))!;
    const a = parseServerFrame({ type: r204.type!, payload: Buffer.from(payload(r204), 'latin1') });
    expect(a).toMatchObject({ kind: 'download-ack', peer: { nick: 'alice', ip: '127.0.0.1', port: 42201, wirePath: 'C:\\Music\\Alpha Band - First Song.mp3' } });
  });

  it('the recorded uploader stream (1, size digits, file bytes) decodes as hello, size and data', () => {
    const up = vectors.filter((r) => r.file.startsWith('05') && r.dir === 'peer-recv' && r.who === 'bob');
    const stream = Buffer.concat(up.map((r) => r.bytes));
    const d = new DataPortDecoder({ role: 'get', sizeDigits: 4 });
    d.push(stream);
    const msgs: DataMessage[] = [];
    for (let m = d.next(); m; m = d.next()) msgs.push(m);
    expect(msgs).toEqual([{ kind: 'hello' }, { kind: 'number', value: 5000 }]);
    expect(Buffer.concat(d.takeRest())[0]).toBe(0xff); // the mp3 frame sync right after the digits
  });
});
