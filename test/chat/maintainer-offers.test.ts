/**
 * Discovery datagrams come from anyone on the LAN, as fast as it sends them, and each offers
 * an address to the mesh upkeep (protocols/chat/maintainer.ts). Each offer used to start a
 * dial plan (the host cache sorted, the links walked): a flood of announcements was a plan
 * per datagram. Now offers start at most one plan per 250 ms, the last one at the window's end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Maintainer, OFFER_TICK_MS } from '../../protocols/chat/maintainer.js';
import { ManualClock } from '../../src/clock.js';
import { Logger } from '../../src/log.js';
import { HostCache } from '../../src/peers/host-cache.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('Maintainer: offered addresses (LAN discovery)', () => {
  it('plans dials at most once per window however many are offered, and dials the last ones at its end', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-offers-'));
    dirs.push(dir);
    const clock = new ManualClock();
    const hosts = new HostCache({ file: join(dir, 'hosts.json'), clock });
    let plans = 0;
    const dialled: string[] = [];
    const m = new Maintainer({
      hosts,
      clock,
      log: new Logger([]),
      intervalMs: 60_000,
      targetDegree: 3,
      maxOutbound: 7,
      dial: (addr) => (dialled.push(addr), new Promise<void>(() => undefined)),
      view: () => (plans++, { linked: 0, outbound: 0, exclude: new Set() }),
      linked: () => false,
    });
    m.start();
    const before = plans;
    for (let i = 0; i < 1_000; i++) m.offer(`10.0.${i >> 8}.${i & 255}:6350`);
    expect(plans - before).toBe(1);
    clock.advance(OFFER_TICK_MS);
    expect(plans - before).toBe(2);
    expect(dialled.length).toBeGreaterThan(0);
    expect(hosts.size).toBe(1_000);
    m.stop();
  });
});
