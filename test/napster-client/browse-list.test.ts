import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBrowseList, encodeSendList, MAX_BROWSE_LIST_BYTES, parseBrowseList } from '../../protocols/napster/client-browse-list.js';
import { DataPortDecoder, type DataMessage } from '../../protocols/napster/client-data-port.js';
import { loadVectors } from './vectors.js';

const decodeAll = (d: DataPortDecoder, chunk: Buffer): DataMessage[] => {
  d.push(chunk);
  const out: DataMessage[] = [];
  for (let m = d.next(); m; m = d.next()) out.push(m);
  return out;
};

describe('direct browse lists (napster.md §6.2)', () => {
  it('parses the recorded GETLIST answer of vectors 07 (spec form: nick line, share lines, empty line)', () => {
    // alice's writes after GETLIST, in order; the dump of a long one is cut, so only whole ones are kept.
    const sends = loadVectors().filter((r) => r.file.startsWith('07') && r.who === 'alice' && r.dir === 'peer-send');
    const list = sends.slice(sends.findIndex((r) => r.bytes.toString() === 'alice\n'));
    const whole = list.filter((r) => r.bytes.length === r.length);
    expect(whole.length).toBeGreaterThanOrEqual(5);
    const l = parseBrowseList(Buffer.concat(whole.map((r) => r.bytes)), 5000)!;
    expect(l).toMatchObject({ nick: 'alice', complete: true, bad: 0 });
    expect(l.files.length).toBe(whole.length - 2);
    expect(l.files[0]).toEqual({ wirePath: 'C:\\Music\\Alpha Band - First Song.mp3', md5: '412231d3d6b97950319b49aec8deaf5c', size: 5000, bitrate: 128, freq: 44100, seconds: 60 });
  });

  it("accepts TekNap's SENDLIST prefix line and the spec's SENDLIST <nick> push form", () => {
    const body = '"a b.mp3" 0 10 128 44100 5\n\n';
    expect(parseBrowseList(Buffer.from(`SENDLIST\ntek\n${body}`), 10)).toMatchObject({ nick: 'tek', complete: true, files: [{ wirePath: 'a b.mp3', size: 10 }] });
    expect(parseBrowseList(Buffer.from(`SENDLIST tek\n${body}`), 10)).toMatchObject({ nick: 'tek', files: [{ size: 10 }] });
    expect(parseBrowseList(Buffer.from(`tek\r\n"x" 0 3 0 0 0\r\n\r\n`), 10)).toMatchObject({ nick: 'tek', complete: true, files: [{ wirePath: 'x', size: 3 }] });
  });

  it('a list cut short is marked incomplete and its last partial line dropped; bad lines are counted', () => {
    const l = parseBrowseList(Buffer.from('bob\n"a" 0 1 0 0 0\nnot a line\n"b" 0 2 0 0 0\n"c" 0 3'), 10)!;
    expect(l).toMatchObject({ nick: 'bob', complete: false, bad: 1 });
    expect(l.files.map((f) => f.wirePath)).toEqual(['a', 'b']);
    expect(parseBrowseList(Buffer.from('bob'), 10)).toBeUndefined();
    expect(parseBrowseList(Buffer.from(''), 10)).toBeUndefined();
    expect(parseBrowseList(Buffer.from('"bad nick"\n\n'), 10)).toBeUndefined();
  });

  it('our answer round-trips and keeps at most maxFiles', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `"dir/f ${i}.mp3" NOMD5COMPUTED ${i} 128 44100 ${i}`);
    const l = parseBrowseList(encodeBrowseList('me', lines), 20)!;
    expect(l).toMatchObject({ nick: 'me', complete: true, bad: 0 });
    expect(l.files.length).toBe(20);
    expect(l.files[3]).toEqual({ wirePath: 'dir/f 3.mp3', md5: 'NOMD5COMPUTED', size: 3, bitrate: 128, freq: 44100, seconds: 3 });
    const pushed = encodeSendList('me', lines.slice(0, 2));
    expect(pushed.toString('latin1').startsWith('SENDLIST me\n')).toBe(true);
    expect(parseBrowseList(pushed, 20)).toMatchObject({ nick: 'me', complete: true, files: [{ size: 0 }, { size: 1 }] });
  });

  it('fuzz: any bytes give a list or undefined, never more files than asked', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 0, max: 50 }), (bytes, max) => {
        const l = parseBrowseList(Buffer.from(bytes), max);
        if (l) expect(l.files.length).toBeLessThanOrEqual(max);
      }),
    );
    expect(MAX_BROWSE_LIST_BYTES).toBeGreaterThan(5000 * 200);
  });
});

describe('GETLIST and SENDLIST on our data port (§6.2)', () => {
  it('GETLIST is a list request, split anywhere; GET with a nick starting LIST stays a GET', () => {
    const d = new DataPortDecoder({ role: 'listener' });
    expect(decodeAll(d, Buffer.from('GETL'))).toEqual([]);
    expect(decodeAll(d, Buffer.from('IST'))).toEqual([{ kind: 'pending' }]);
    expect(d.settle()).toEqual({ kind: 'list-request' });
    const g = new DataPortDecoder({ role: 'listener' });
    expect(decodeAll(g, Buffer.from('GETLISTy "a.mp3" 0'))).toEqual([{ kind: 'pending' }]);
    expect(g.settle()).toEqual({ kind: 'request', command: 'GET', nick: 'LISTy', path: 'a.mp3', value: 0 });
  });

  it('SENDLIST (either form) hands the rest of the stream over as a list; SEND with nick LIST stays a SEND', () => {
    for (const first of ['SENDLIST\ntek\n', 'SENDLIST tek\n']) {
      const d = new DataPortDecoder({ role: 'listener' });
      expect(decodeAll(d, Buffer.from(first))).toEqual([{ kind: 'list-push' }]);
      expect(Buffer.concat(d.takeRest()).toString()).toBe(first);
    }
    const s = new DataPortDecoder({ role: 'listener' });
    expect(decodeAll(s, Buffer.from('SENDLIST "a.mp3" 10'))).toEqual([{ kind: 'pending' }]);
    expect(s.settle()).toEqual({ kind: 'request', command: 'SEND', nick: 'LIST', path: 'a.mp3', value: 10 });
  });

  it('the browse role takes the 1 and then hands every byte over', () => {
    const d = new DataPortDecoder({ role: 'browse' });
    expect(decodeAll(d, Buffer.from('1alice\n'))).toEqual([{ kind: 'hello' }]);
    expect(d.done).toBe(true);
    expect(Buffer.concat(d.takeRest()).toString()).toBe('alice\n');
  });
});
