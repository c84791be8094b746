import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { DialQueue } from '../../src/net/dial-queue.js';
import { parseHostPort } from '../../src/net/address.js';
import { HostCache } from '../../src/peers/host-cache.js';
import { SeenCache } from '../../src/routing/seen-cache.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'peerdeck-core-'));
  dirs.push(d);
  return d;
}

describe('SeenCache', () => {
  it('reports each id new once, evicts past its size and forgets after its TTL', () => {
    let now = 1_000; // lru-cache treats a start time of 0 as "no TTL"
    const c = new SeenCache({ max: 3, ttlMs: 1000, now: () => now });
    expect(c.markSeen('a')).toBe(true);
    expect(c.markSeen('a')).toBe(false);
    c.markSeen('b');
    c.markSeen('c');
    c.markSeen('d'); // evicts a
    expect(c.size).toBe(3);
    expect(c.markSeen('a')).toBe(true);
    now = 2_500;
    expect(c.has('d')).toBe(false);
    expect(c.markSeen('d')).toBe(true);
  });

  it('stays bounded under a flood of invented ids', () => {
    const c = new SeenCache({ max: 1000, ttlMs: 60_000 });
    for (let i = 0; i < 50_000; i++) c.markSeen(`id${i}`);
    expect(c.size).toBe(1000);
  });
});

describe('HostCache', () => {
  it('persists atomically and reloads, best hosts first', async () => {
    const dir = await tempDir();
    const clock = new ManualClock();
    const hc = await HostCache.open(dir, 'chat', { clock });
    expect(hc.add('127.0.0.1:1')).toBe(true);
    hc.add('127.0.0.1:2');
    hc.add('[::1]:3');
    expect(hc.add('not an address')).toBe(false);
    expect(hc.add('1.2.3.4:99999')).toBe(false);
    hc.good('127.0.0.1:2');
    hc.failed('127.0.0.1:1');
    await hc.save();
    const again = await HostCache.open(dir, 'chat', { clock });
    expect(again.size).toBe(3);
    expect(again.pick(1)).toEqual(['127.0.0.1:2']);
    expect(again.pick(3, new Set(['127.0.0.1:2']))).toEqual(['[::1]:3', '127.0.0.1:1']);
    const files = JSON.parse(await readFile(join(dir, 'hosts-chat.json'), 'utf8')) as { version: number };
    expect(files.version).toBe(1);
  });

  it('caps its size and survives a corrupt file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'hosts-x.json'), '{not json');
    const hc = await HostCache.open(dir, 'x', { max: 10 });
    expect(hc.size).toBe(0);
    for (let i = 1; i <= 100; i++) hc.add(`10.0.0.${i % 250}:${1000 + i}`);
    expect(hc.size).toBe(10);
  });

  it('parses host:port forms', () => {
    expect(parseHostPort('127.0.0.1:6350')).toEqual({ host: '127.0.0.1', port: 6350 });
    expect(parseHostPort('[::1]:1')).toEqual({ host: '::1', port: 1 });
    expect(parseHostPort('host.lan:80')).toEqual({ host: 'host.lan', port: 80 });
    for (const bad of ['', ':1', 'a:0', 'a:65536', 'a b:1', '::1:5', 'x:1:2', '-bad-:1']) expect(parseHostPort(bad)).toBeUndefined();
  });
});

describe('DialQueue', () => {
  it('bounds parallel dials and backs off exponentially after failures', async () => {
    const clock = new ManualClock();
    let inFlight = 0;
    let maxInFlight = 0;
    const pending: Array<{ addr: string; settle: (ok: boolean) => void }> = [];
    const q = new DialQueue({
      concurrency: 2,
      baseBackoffMs: 1000,
      maxBackoffMs: 8000,
      clock,
      dial: (addr) =>
        new Promise<void>((resolve, reject) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          pending.push({ addr, settle: (ok) => (inFlight--, ok ? resolve() : reject(new Error('no'))) });
        }),
    });
    for (const a of ['a:1', 'b:1', 'c:1']) expect(q.enqueue(a)).toBe(true);
    expect(q.enqueue('a:1')).toBe(false); // already in flight
    expect(q.inFlight).toBe(2);
    pending.shift()!.settle(false); // a fails
    await Promise.resolve();
    await Promise.resolve();
    expect(q.inFlight).toBe(2); // c started
    expect(q.backoffLeft('a:1')).toBe(1000);
    expect(q.enqueue('a:1')).toBe(false);
    clock.advance(1000);
    expect(q.enqueue('a:1')).toBe(true);
    pending.shift()!.settle(true);
    pending.shift()!.settle(true);
    await new Promise((r) => setImmediate(r));
    pending.shift()!.settle(false); // a fails twice: 2000 ms
    await new Promise((r) => setImmediate(r));
    expect(q.backoffLeft('a:1')).toBe(2000);
    expect(maxInFlight).toBe(2);
    q.stop();
    expect(q.enqueue('z:1')).toBe(false);
  });
});
