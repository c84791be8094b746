import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataPortDecoder, isDataRefusal, type DataMessage, type DataRole } from '../../protocols/napster/client-data-port.js';
import { NetError } from '../../src/errors.js';
import { everySplit } from '../chunking.js';

/** Feeds chunks, pulling messages; settles at the end like the quiet timer or the peer's FIN would. */
function run(role: DataRole, chunks: Buffer[]): { msgs: DataMessage[]; rest: Buffer } {
  const d = new DataPortDecoder(role);
  const msgs: DataMessage[] = [];
  for (const c of chunks) {
    d.push(c);
    for (let m = d.next(); m; m = d.next()) if (m.kind !== 'pending') msgs.push(m);
  }
  const last = d.settle();
  if (last) msgs.push(last);
  return { msgs, rest: Buffer.concat(d.takeRest()) };
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('data-port protocol (napster.md §6.2)', () => {
  it('reads GET + header, split at every point, coalesced or in two writes', () => {
    const input = b('GETbob "C:\\Music\\Alpha Band - First Song.mp3" 1234');
    for (const chunks of everySplit(input)) {
      expect(run({ role: 'listener' }, chunks).msgs).toEqual([
        { kind: 'request', command: 'GET', nick: 'bob', path: 'C:\\Music\\Alpha Band - First Song.mp3', value: 1234 },
      ]);
    }
  });

  it('reads SEND + header and hands the bytes after it on', () => {
    const { msgs, rest } = run({ role: 'listener' }, [b('SENDcarol "/home/carol/mp3/a b.mp3" 4000')]);
    expect(msgs).toEqual([{ kind: 'request', command: 'SEND', nick: 'carol', path: '/home/carol/mp3/a b.mp3', value: 4000 }]);
    expect(rest.length).toBe(0);
  });

  it('says pending while the number may go on, once per arrival, and only settle() completes it', () => {
    const d = new DataPortDecoder({ role: 'listener' });
    d.push(b('GETbob "x" 12'));
    expect(d.next()).toEqual({ kind: 'pending' });
    expect(d.next()).toBeUndefined();
    d.push(b('34'));
    expect(d.next()).toEqual({ kind: 'pending' });
    expect(d.settle()).toMatchObject({ kind: 'request', value: 1234 });
    expect(d.done).toBe(true);
  });

  it('refuses unknown commands, unquoted paths, junk after the number and over-long headers', () => {
    for (const bad of ['HELLO', 'GETbob x 1', 'GETbob "x" 1a', 'GETbob "x"x', `GET${'n'.repeat(70)}`, `GETbob "${'p'.repeat(1200)}`]) {
      expect(() => run({ role: 'listener' }, [b(bad)]), bad).toThrow(NetError);
    }
  });

  it('downloader side: 1, exactly the advertised digits of the size, then file bytes that may start with digits', () => {
    const input = b('1' + '5000' + '0123456789');
    for (const chunks of everySplit(input)) {
      const { msgs, rest } = run({ role: 'get', sizeDigits: 4 }, chunks);
      expect(msgs).toEqual([{ kind: 'hello' }, { kind: 'number', value: 5000 }]);
      expect(rest.toString()).toBe('0123456789');
    }
  });

  it('downloader side: an error text instead of the size is a refusal', () => {
    for (const text of ['FILE NOT SHARED', 'INVALID REQUEST', 'FILE NOT FOUND']) {
      const { msgs } = run({ role: 'get', sizeDigits: 4 }, [b('1' + text)]);
      expect(msgs).toEqual([{ kind: 'hello' }, { kind: 'refusal', text }]);
      expect(isDataRefusal(text)).toBe(true);
    }
  });

  it('push side: 1 then the offset the downloader wants', () => {
    for (const chunks of everySplit(b('1654321'))) {
      expect(run({ role: 'push' }, chunks).msgs).toEqual([{ kind: 'hello' }, { kind: 'number', value: 654321 }]);
    }
  });

  it('a stream that does not start with 1 is refused', () => {
    expect(() => run({ role: 'get', sizeDigits: 1 }, [b('HTTP/1.1 200 OK')])).toThrow(/did not start with 1/);
  });

  it('random bytes in any chunking give messages or a NetError, never another exception, and bounded buffering', () => {
    const roles: DataRole[] = [{ role: 'listener' }, { role: 'get', sizeDigits: 5 }, { role: 'push' }];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(3000), { maxLength: 6 }), fc.nat(2), (bytes, cuts, r) => {
        const input = Buffer.from(bytes);
        const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((x, y) => x - y);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(input.subarray(prev, p));
          prev = p;
        }
        chunks.push(input.subarray(prev));
        const d = new DataPortDecoder(roles[r]!);
        try {
          for (const c of chunks) {
            d.push(c);
            for (let m = d.next(); m; m = d.next()) expect(m.kind).toBeTypeOf('string');
            if (!d.done) expect(d.buffered).toBeLessThanOrEqual(1100 + c.length);
          }
          d.settle();
        } catch (err) {
          expect(err).toBeInstanceOf(NetError);
        }
      }),
    );
  });
});
