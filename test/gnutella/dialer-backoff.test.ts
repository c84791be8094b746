import { describe, expect, it } from 'vitest';
import { BACKOFF_MIN_MS, Dialer, MAX_BACKOFF_HOSTS } from '../../protocols/gnutella/dialer.js';
import type { DialerDeps } from '../../protocols/gnutella/dialer.js';
import { Logger } from '../../src/log.js';

/** The per-host dial backoff grows with addresses peers hand us: it is capped, the least recently failed forgotten first. */
describe('dial backoff memory', () => {
  it('holds at most MAX_BACKOFF_HOSTS hosts and still doubles the wait of a host that keeps failing', () => {
    let now = 1_000_000;
    const failedHosts: string[] = [];
    const logged: string[] = [];
    const deps = {
      links: new Map(),
      hosts: () => ({ failed: (a: string) => failedHosts.push(a), good: () => undefined }),
      now: () => now,
      log: new Logger([(e) => logged.push(e.message)], 'test', 'debug'),
      stopped: () => false,
      bootstrap: [],
      askUdpCaches: () => undefined,
    } as unknown as DialerDeps;
    const d = new Dialer(deps);
    for (let i = 0; i < MAX_BACKOFF_HOSTS * 3; i++) d.failed(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:6346`, 'refused');
    expect(d.backoffSize).toBe(MAX_BACKOFF_HOSTS);
    expect(failedHosts).toHaveLength(MAX_BACKOFF_HOSTS * 3);
    // A host that fails again moves to the young end and is not the next evicted.
    const keep = '192.0.2.1:6346';
    d.failed(keep, 'refused');
    now += BACKOFF_MIN_MS;
    for (let i = 0; i < MAX_BACKOFF_HOSTS - 1; i++) d.failed(`172.16.${(i >> 8) & 255}.${i & 255}:6346`, 'refused');
    d.failed(keep, 'refused');
    expect(d.backoffSize).toBe(MAX_BACKOFF_HOSTS);
    // Its second failure doubled the wait: it was remembered through the evictions.
    expect(logged.filter((m) => m.startsWith(`gnutella: ${keep}:`))).toEqual([
      `gnutella: ${keep}: refused; next try in ${BACKOFF_MIN_MS / 1000} s`,
      `gnutella: ${keep}: refused; next try in ${(2 * BACKOFF_MIN_MS) / 1000} s`,
    ]);
  });
});
