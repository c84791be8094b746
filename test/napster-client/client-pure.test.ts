import { describe, expect, it } from 'vitest';
import * as C from '../../protocols/napster/client-constants.js';
import * as W from '../../protocols/napster/constants.js';
import { checkNick, firstLoginStep, loginStep, reconnectDelay, validateIdentity, type LoginIdentity } from '../../protocols/napster/client-login.js';
import { buildSearch, parseNsearch, plainSearch } from '../../protocols/napster/client-search-query.js';
import { buildShareList, diffShares, relPathOfWire } from '../../protocols/napster/client-share-list.js';
import type { ShareEntry } from '../../src/share/share-entry.js';
import { NetError } from '../../src/errors.js';

const id: LoginIdentity = { nick: 'bob', password: 'pw', dataPort: 6699, speed: 7, email: 'bob@example.com', clientInfo: 'peerdeck 0.1' };

describe('login decisions (napster.md §3.2)', () => {
  it('checks the nick, registers a free one, logs in a registered one', () => {
    expect(firstLoginStep(id)).toEqual({ state: 'checking', type: W.MSG_NICK_CHECK, text: 'bob' });
    expect(loginStep('checking', { kind: 'nick-free' }, id)).toEqual({
      do: 'send', state: 'registering', type: W.MSG_NEW_USER_LOGIN, text: 'bob pw 6699 "peerdeck 0.1" 7 bob@example.com',
    });
    expect(loginStep('checking', { kind: 'nick-registered' }, id)).toEqual({
      do: 'send', state: 'logging-in', type: W.MSG_LOGIN, text: 'bob pw 6699 "peerdeck 0.1" 7',
    });
    expect(loginStep('logging-in', { kind: 'login-ack', email: 'anon@localhost' }, id)).toEqual({ do: 'online', email: 'anon@localhost' });
    expect(loginStep('logging-in', { kind: 'motd', line: 'x' }, id)).toEqual({ do: 'wait' });
  });

  it('a wrong password is final; a busy server is worth a retry', () => {
    expect(loginStep('logging-in', { kind: 'login-error', reason: 'Invalid Password' }, id)).toEqual({ do: 'fail', reason: 'Invalid Password', retry: false });
    expect(loginStep('logging-in', { kind: 'login-error', reason: 'This server is full (1024 connections)' }, id)).toMatchObject({ retry: true });
    expect(loginStep('checking', { kind: 'nick-invalid', text: '' }, id)).toMatchObject({ do: 'fail', retry: false });
    expect(loginStep('checking', { kind: 'login-ack', email: '' }, id)).toMatchObject({ do: 'fail' });
  });

  it('refuses bad nicks and passwords before sending anything', () => {
    for (const n of ['', 'a'.repeat(20), 'bad.nick', '#chan', 'NickServ', 'sp ace']) expect(checkNick(n), n).toBeDefined();
    expect(checkNick('good_nick-1')).toBeUndefined();
    expect(() => validateIdentity({ ...id, password: 'two words' })).toThrow(NetError);
    expect(() => validateIdentity({ ...id, speed: 11 })).toThrow(NetError);
  });

  it('backs off exponentially up to the cap', () => {
    expect(reconnectDelay(0, 0)).toBe(C.RECONNECT_MIN_MS);
    expect(reconnectDelay(3, 0)).toBe(C.RECONNECT_MIN_MS * 8);
    expect(reconnectDelay(50, 1)).toBe(C.RECONNECT_MAX_MS * 1.2);
  });
});

describe('search requests (napster.md §5)', () => {
  it('drops standalone dashes and quotes, and excludes -words', () => {
    expect(buildSearch(plainSearch('Accept Band - Classic "one" -live'))).toBe(
      'FILENAME CONTAINS "Accept Band Classic one" FILENAME EXCLUDES "live" MAX_RESULTS 100',
    );
  });

  it('parses /nsearch clauses into the wire grammar', () => {
    expect(buildSearch(parseNsearch(['beatles', 'size>=1m', 'bitrate>128', 'freq=44100', 'type:audio', 'max:20', 'linespeed<=3', 'duration<600']))).toBe(
      'FILENAME CONTAINS "beatles" MAX_RESULTS 20 BITRATE "AT LEAST" "129" FREQ "EQUAL TO" "44100" LINESPEED "AT BEST" 3 SIZE "AT LEAST" 1048576 DURATION "AT BEST" 599 TYPE audio',
    );
    expect(() => parseNsearch(['size>=lots', 'x'])).toThrow(NetError);
    expect(() => parseNsearch(['color=blue', 'x'])).toThrow(/unknown search clause/);
    expect(() => parseNsearch(['type:movie', 'x'])).toThrow(NetError);
    expect(() => parseNsearch(['size>=1'])).toThrow(/at least one word/);
    expect(parseNsearch(['x', 'max:5000']).maxResults).toBe(100);
  });
});

function entry(index: number, relPath: string, size: number, md5?: string): ShareEntry {
  return { index, name: relPath.split('/').pop()!, relPath, root: '/r', rootReal: '/r', path: `/r/${relPath}`, size, mtimeMs: 0, md5 };
}

describe('share list (napster.md §4.1)', () => {
  it('announces md5, size and zeroed audio fields; NOMD5COMPUTED until hashed', () => {
    const list = buildShareList([entry(2, 'b/y.mp3', 20), entry(1, 'a/x.mp3', 10, 'ab'.repeat(16))]);
    expect([...list.files.values()].map((f) => f.line)).toEqual([`"\\a\\x.mp3" ${'ab'.repeat(16)} 10 0 0 0`, '"\\b\\y.mp3" NOMD5COMPUTED 20 0 0 0']);
    // Windows-style, as real clients share (TekNap shows the part after the last `\`), and back again.
    expect(relPathOfWire('\\a\\x.mp3')).toBe('a/x.mp3');
    expect(relPathOfWire('x.mp3')).toBe('x.mp3');
    expect(relPathOfWire('\\..\\..\\etc\\passwd')).toBe('../../etc/passwd');
  });

  it('caps the list at the server limit and says how many were left out', () => {
    const many = Array.from({ length: 5003 }, (_, i) => entry(i + 1, `f${i}.bin`, i));
    const list = buildShareList([...many, entry(9999, 'bad"quote.mp3', 1), entry(9998, 'back\\slash.mp3', 1)]);
    expect(list.files.size).toBe(W.MAX_SHARES);
    expect(list.overCap).toBe(3);
    expect(list.unshareable).toBe(2);
    expect(list.files.has('\\f0.bin')).toBe(true);
  });

  it('leaves out a file whose name has no word an OpenNap server could index (it answers "Sorry, unable to parse")', () => {
    const list = buildShareList([entry(1, '-.mp3', 1), entry(2, '__.txt', 1), entry(3, 'sub/-.mp3', 1), entry(4, 'Song.mp3', 1), entry(5, '\u00e9t\u00e9.ogg', 1)]);
    expect([...list.files.keys()]).toEqual(['\\sub\\-.mp3', '\\Song.mp3', expect.stringMatching(/\.ogg$/)]);
    expect(list.nameless).toBe(2);
    expect(list.unshareable).toBe(0);
  });

  it('diffs: gone files are unshared, changed ones unshared and shared again, new ones shared', () => {
    const had = buildShareList([entry(1, 'a', 1), entry(2, 'b', 2), entry(3, 'c', 3)]).files;
    const want = buildShareList([entry(1, 'a', 1), entry(2, 'b', 2, 'f'.repeat(32)), entry(4, 'd', 4)]).files;
    const d = diffShares(had, want);
    expect(d.remove.sort()).toEqual(['\\b', '\\c']);
    expect(d.add.sort()).toEqual([`"\\b" ${'f'.repeat(32)} 2 0 0 0`, '"\\d" NOMD5COMPUTED 4 0 0 0']);
  });
});

describe('client flags', () => {
  it('parses --napster, the password file, the data port, nick and speed; none given: no client', async () => {
    const { parseNapsterClientFlags } = await import('../../protocols/napster/client-options.js');
    expect(parseNapsterClientFlags({})).toBeUndefined();
    const files: Record<string, string> = { '/pw': 'secret\nignored' };
    const read = (p: string): string => {
      const f = files[p];
      if (f === undefined) throw new Error(`ENOENT: ${p}`);
      return f;
    };
    expect(
      parseNapsterClientFlags({ napster: ['127.0.0.1:8888', 'example.org:7777'], 'napster-password-file': '/pw', 'napster-data-port': '0', 'napster-nick': 'bob', 'napster-speed': '7' }, read),
    ).toEqual({ servers: ['127.0.0.1:8888', 'example.org:7777'], password: 'secret', dataPort: 0, nick: 'bob', speed: 7 });
    expect(() => parseNapsterClientFlags({ napster: ['nohostport'] }, read)).toThrow(/host:port/);
    expect(() => parseNapsterClientFlags({ 'napster-password-file': '/missing' }, read)).toThrow(/ENOENT/);
    files['/bad'] = 'two words';
    expect(() => parseNapsterClientFlags({ 'napster-password-file': '/bad' }, read)).toThrow(/one word/);
    expect(() => parseNapsterClientFlags({ 'napster-data-port': '70000' }, read)).toThrow(/port/);
    expect(() => parseNapsterClientFlags({ 'napster-speed': '11' }, read)).toThrow('--napster-speed: a number from 0 to 10, not 11');
    expect(() => parseNapsterClientFlags({ 'napster-nick': 'bad.nick' }, read)).toThrow(NetError);
  });
});
