/**
 * The caps of the core's caches fed by remote input (STYLE.md rule 3): the dial queue's
 * waiting list and its backoff table, and a host cache file of any content (the data dir is
 * the user's; a file may be cut short, hand-edited or written by another version).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DialQueue } from '../../src/net/dial-queue.js';
import { HostCache } from '../../src/peers/host-cache.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('DialQueue under a flood of addresses', () => {
  it('refuses past its waiting list, and its backoff table forgets the oldest past 4,096 addresses', async () => {
    const clock = new ManualClock();
    const waiting: Array<(ok: boolean) => void> = [];
    const q = new DialQueue({
      concurrency: 1,
      baseBackoffMs: 60_000,
      maxBackoffMs: 60_000,
      clock,
      maxQueued: 8,
      dial: () => new Promise<void>((resolve, reject) => waiting.push((ok) => (ok ? resolve() : reject(new Error('refused'))))),
    });
    const accepted = Array.from({ length: 20 }, (_, i) => q.enqueue(`10.0.0.1:${i + 1}`)).filter(Boolean).length;
    expect(accepted).toBe(1 + 8); // one in flight, eight waiting
    expect(q.queued).toBe(8);
    // Every dial fails: each address is remembered with its backoff, the oldest forgotten past the cap.
    const settleAll = async (): Promise<void> => {
      while (waiting.length > 0) {
        waiting.shift()!(false);
        await new Promise((r) => setImmediate(r));
      }
    };
    await settleAll();
    expect(q.backoffLeft('10.0.0.1:1')).toBe(60_000);
    for (let i = 0; i < 4_096; i++) {
      q.enqueue(`10.1.${i >> 8}.${i & 255}:7`);
      await settleAll();
    }
    expect(q.backoffLeft('10.0.0.1:1')).toBe(0); // forgotten: the table holds 4,096
    expect(q.backoffLeft('10.1.15.255:7')).toBe(60_000);
  });
});

describe('HostCache file of any content', () => {
  it('loads anything without a throw, keeping at most its size of valid addresses (property)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-hosts-'));
    dirs.push(dir);
    const host = fc.oneof(fc.constantFrom('127.0.0.1:1', '[::1]:2', 'a.lan:3', 'x:0', ':1', '10.0.0.1:99999'), fc.string({ maxLength: 12 }));
    const entry = fc.oneof(fc.record({ addr: host, seen: fc.anything(), good: fc.double(), failures: fc.integer() }, { requiredKeys: [] }), fc.jsonValue());
    const file = fc.oneof(
      fc.string(),
      fc.json(),
      fc.array(entry, { maxLength: 30 }).map((hosts) => JSON.stringify({ version: 1, hosts })),
    );
    await fc.assert(
      fc.asyncProperty(file, async (text) => {
        await writeFile(join(dir, 'hosts-x.json'), text);
        const hc = await HostCache.open(dir, 'x', { max: 5 });
        expect(hc.size).toBeLessThanOrEqual(5);
        for (const e of hc.entries()) {
          expect(Number.isFinite(e.seen) && e.seen >= 0).toBe(true);
          expect(e.addr).toMatch(/:[0-9]{1,5}$/);
        }
      }),
      { numRuns: 200 },
    );
  });
});
