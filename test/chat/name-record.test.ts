/** Peer-name records under hostile input, and the verification rules (issue 14 "Peer names"). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ephemeralIdentity } from '../../protocols/chat/identity.js';
import { NameCache } from '../../protocols/chat/names/name-cache.js';
import { encodeRecord, judgeRecord, makeRecord, MAX_RECORD_TTL_MS, parseName, parseRecord } from '../../protocols/chat/names/record.js';
import { NetError } from '../../src/errors.js';

const id = ephemeralIdentity();
const NOW = 1_700_000_000_000;

describe('name records', () => {
  it('round-trips a signed record and verifies it', () => {
    const r = makeRecord(`${id.authority}.web`, 'global', ['chat@127.0.0.1:6350', 'pplus2@[::1]:7000'], NOW, 60_000, id);
    const back = parseRecord(encodeRecord(r));
    expect(back).toEqual(r);
    expect(judgeRecord(back, NOW + 1)).toEqual({ kind: 'valid', secured: true });
    expect(judgeRecord(back, NOW + 60_000)).toEqual({ kind: 'stale' });
  });

  it('rejects a secured name whose key is not its authority, a tampered field, a signed unsecured name, an overlong life', () => {
    const other = ephemeralIdentity();
    const r = makeRecord(`${id.authority}.web`, 'global', ['chat@127.0.0.1:6350'], NOW, 60_000, id);
    expect(judgeRecord({ ...r, name: `${other.authority}.web` }, NOW).kind).toBe('forged');
    expect(judgeRecord({ ...r, cloud: 'linklocal' }, NOW).kind).toBe('forged');
    expect(judgeRecord({ ...r, expires: r.expires + 1 }, NOW).kind).toBe('forged');
    expect(judgeRecord({ ...r, name: '0.web' }, NOW).kind).toBe('forged');
    const { key: _k, sig: _s, ...unsigned } = r;
    expect(judgeRecord(unsigned, NOW).kind).toBe('forged');
    expect(judgeRecord({ ...unsigned, name: '0.web' }, NOW)).toEqual({ kind: 'valid', secured: false });
    expect(judgeRecord(makeRecord(`${id.authority}.web`, 'global', [], NOW, MAX_RECORD_TTL_MS + 1, id), NOW).kind).toBe('stale');
  });

  it('parses names strictly', () => {
    expect(parseName(`${id.authority}.my-printer`)).toEqual({ authority: id.authority, classifier: 'my-printer' });
    expect(parseName('0.lobby')).toEqual({ authority: '0', classifier: 'lobby' });
    for (const bad of ['lobby', '1.lobby', `${id.authority}.`, `${id.authority.toUpperCase()}.x`, '0.a b', `0.${'x'.repeat(65)}`]) expect(parseName(bad)).toBeUndefined();
  });

  it('parseRecord returns a record or throws a NetError for any input', () => {
    const good = encodeRecord(makeRecord(`${id.authority}.web`, 'global', ['chat@127.0.0.1:6350'], NOW, 60_000, id));
    const fields = good.split(' ');
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.nat(6), fc.boolean(), (s, i, replace) => {
        const input = replace ? fields.map((f, j) => (j === i ? s : f)).join(' ') : s;
        try {
          parseRecord(input);
        } catch (err) {
          if (!(err instanceof NetError)) throw err;
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('the cache refuses an older record of the same publisher and drops expired ones', () => {
    const c = new NameCache();
    const newer = makeRecord(`${id.authority}.web`, 'global', ['chat@127.0.0.1:1'], NOW, 60_000, id);
    const older = makeRecord(`${id.authority}.web`, 'global', ['chat@127.0.0.1:2'], NOW - 1_000, 60_000, id);
    expect(c.put(newer)).toBe('added');
    expect(c.put(older)).toBe('older');
    expect(c.get(newer.name, NOW)).toEqual([newer]);
    expect(c.get(newer.name, NOW + 60_000)).toEqual([]);
    expect(c.size).toBe(0);
  });
});
