import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetError } from '../../src/errors.js';
import { dqStep, horizon, type DqView } from '../../protocols/gnutella/dynamic-query.js';
import { decodeQueryStatus, encodeQueryStatusRequest, encodeQueryStatusResponse } from '../../protocols/gnutella/query-status.js';
import { decodeVendor } from '../../protocols/gnutella/vendor.js';
import { QrpReceiver } from '../../protocols/gnutella/qrp-receiver.js';
import { decodeQrp } from '../../protocols/gnutella/qrp-messages.js';
import { TokenBucket } from '../../protocols/gnutella/token-bucket.js';

const ups = (n: number, match: (i: number) => boolean = () => false): DqView['candidates'] => Array.from({ length: n }, (_, i) => ({ id: i + 1, maxTtl: 4, degree: 32, lastHopMatch: match(i) }));
const base: DqView = { wanted: 50, results: 0, candidates: ups(10), queried: 0, reached: 0, elapsedMs: 0, maxMs: 200_000, hopMs: 2_400 };

describe('dynamic query steps (spec 3.5)', () => {
  it('the horizon of a TTL is the sum of (degree - 1)^i', () => {
    expect(horizon(1, 32)).toBe(1);
    expect(horizon(2, 32)).toBe(32);
    expect(horizon(3, 32)).toBe(1 + 31 + 961);
  });

  it('probes 3 ultrapeers at TTL 1, those whose last-hop table matches first, and waits one hop', () => {
    expect(dqStep({ ...base, candidates: ups(10, (i) => i >= 7) })).toEqual({ kind: 'send', sends: [{ to: 8, ttl: 1 }, { to: 9, ttl: 1 }, { to: 10, ttl: 1 }], waitMs: 2_400 });
  });

  it('then one ultrapeer at a time, with a higher TTL the fewer results came per ultrapeer reached', () => {
    const rich = dqStep({ ...base, candidates: ups(7), queried: 3, reached: 3, results: 30 });
    const some = dqStep({ ...base, candidates: ups(7), queried: 3, reached: 3, results: 1 });
    const poor = dqStep({ ...base, candidates: ups(7), queried: 3, reached: 10, results: 1 });
    const none = dqStep({ ...base, candidates: ups(7), queried: 3, reached: 3, results: 0 });
    expect(rich).toEqual({ kind: 'send', sends: [{ to: 1, ttl: 1 }], waitMs: 2_400 });
    expect(some).toMatchObject({ kind: 'send', sends: [{ to: 1, ttl: 2 }], waitMs: 4_800 });
    expect(poor).toMatchObject({ kind: 'send', sends: [{ to: 1, ttl: 3 }], waitMs: 7_200 });
    expect(none).toMatchObject({ kind: 'send', sends: [{ to: 1, ttl: 4 }] });
    expect(dqStep({ ...base, candidates: [{ id: 5, maxTtl: 2, degree: 32, lastHopMatch: false }], queried: 3, reached: 3 })).toMatchObject({ sends: [{ to: 5, ttl: 2 }] });
  });

  it('stops on enough results, the leaf saying so, time, horizon or no ultrapeer left, and says why', () => {
    expect(dqStep({ ...base, results: 50 })).toEqual({ kind: 'stop', why: 'enough results (50 of 50 wanted)' });
    expect(dqStep({ ...base, leafStop: 'the leaf said stop' })).toEqual({ kind: 'stop', why: 'the leaf said stop' });
    expect(dqStep({ ...base, elapsedMs: 200_000 })).toMatchObject({ kind: 'stop', why: expect.stringMatching(/time limit/) });
    expect(dqStep({ ...base, reached: 250_000 })).toMatchObject({ kind: 'stop', why: expect.stringMatching(/horizon/) });
    expect(dqStep({ ...base, candidates: [], queried: 4 })).toMatchObject({ kind: 'stop', why: expect.stringMatching(/every ultrapeer queried \(4\)/) });
  });

  it('never sends to an ultrapeer twice nor with a TTL outside 1..4 (property)', () => {
    fc.assert(
      fc.property(fc.nat(60), fc.nat(40), fc.nat(200), fc.nat(10), fc.integer({ min: 1, max: 9 }), (results, queried, reached, n, maxTtl) => {
        const c = ups(n).map((x) => ({ ...x, maxTtl }));
        const d = dqStep({ ...base, results, queried, reached, candidates: c });
        if (d.kind === 'send') {
          expect(new Set(d.sends.map((s) => s.to)).size).toBe(d.sends.length);
          for (const s of d.sends) {
            expect(c.some((x) => x.id === s.to)).toBe(true);
            expect(s.ttl).toBeGreaterThanOrEqual(1);
            expect(s.ttl).toBeLessThanOrEqual(Math.min(4, maxTtl));
          }
        }
      }),
    );
  });
});

describe('query status vendor messages (BEAR/11, BEAR/12)', () => {
  it('round-trip', () => {
    expect(decodeQueryStatus(decodeVendor(encodeQueryStatusRequest()))).toEqual({ kind: 'request' });
    expect(decodeQueryStatus(decodeVendor(encodeQueryStatusResponse(37)))).toEqual({ kind: 'response', kept: 37 });
    expect(decodeQueryStatus(decodeVendor(encodeQueryStatusResponse(0xffff)))).toEqual({ kind: 'response', kept: 0xffff });
  });

  it('random vendor payloads give a status, undefined or a NetError (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('BEAR', 'LIME', 'GTKG'), fc.nat(20), (body, vendor, selector) => {
        const payload = Buffer.concat([Buffer.from(vendor, 'latin1'), Buffer.from([selector, 0, 1, 0]), Buffer.from(body)]);
        try {
          const r = decodeQueryStatus(decodeVendor(payload));
          if (r?.kind === 'response') expect(r.kept).toBeLessThanOrEqual(0xffff);
        } catch (err) {
          expect(err).toBeInstanceOf(NetError);
        }
      }),
    );
  });
});

describe('QRP receiving as an ultrapeer (hostile input)', () => {
  it('random RESET/PATCH sequences only ever throw NetError, and a table never exceeds 2 Mi slots (256 KiB)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant(0), len: fc.constantFrom(8, 1024, 65_536, 1 << 21, 1 << 22, 3000, 0), inf: fc.nat(10) }),
            fc.record({ kind: fc.constant(1), seq: fc.nat(4), size: fc.nat(4), comp: fc.nat(2), bits: fc.constantFrom(1, 2, 3, 4, 8, 16), data: fc.uint8Array({ maxLength: 300 }) }),
          ),
          { maxLength: 12 },
        ),
        (steps) => {
          const r = new QrpReceiver();
          for (const s of steps) {
            const payload =
              s.kind === 0
                ? Buffer.from([0, s.len & 0xff, (s.len >> 8) & 0xff, (s.len >> 16) & 0xff, (s.len >>> 24) & 0xff, s.inf])
                : Buffer.concat([Buffer.from([1, s.seq, s.size, s.comp, s.bits]), Buffer.from(s.data)]);
            try {
              const m = decodeQrp(payload);
              if (m.kind === 'qrp-reset') r.reset(m);
              else r.patch(m);
            } catch (err) {
              expect(err).toBeInstanceOf(NetError);
            }
          }
          if (r.bits > 0) expect(r.bits).toBeLessThanOrEqual(21);
        },
      ),
    );
  });
});

describe('token bucket (leaf query throttle)', () => {
  it('allows a burst, then the rate', () => {
    const b = new TokenBucket(1, 10);
    let ok = 0;
    for (let i = 0; i < 100; i++) if (b.take(0)) ok++;
    expect(ok).toBe(10);
    expect(b.take(500)).toBe(false);
    expect(b.take(1_000)).toBe(true);
    expect(b.take(1_000)).toBe(false);
  });
});
