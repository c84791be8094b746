/**
 * A socket refused over a link limit gets a parting line and a second to take it (README
 * "How it is built": limits), but it holds a descriptor meanwhile. A peer that opens
 * connections as fast as it can, and never closes its side, must not hold one each: past 256
 * sockets in that grace, a refused socket is cut at once, without the line. Real sockets on
 * 127.0.0.1; descriptors counted in /proc/self/fd.
 */
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_REFUSING } from '../../src/net/connection-group.js';
import { managersClosedAfterEach, recorder } from './helpers.js';

const manager = managersClosedAfterEach();
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

const fds = (): number => readdirSync('/proc/self/fd').length;
const onLinux = (() => {
  try {
    return fds() > 0;
  } catch {
    return false;
  }
})();

describe('sockets refused over a link limit', () => {
  it.skipIf(!onLinux)(`hold at most ${MAX_REFUSING} descriptors in their grace, however many come`, async () => {
    const r = recorder('t', undefined, { limits: { maxInbound: 0 } });
    const g = manager().group(r.opts);
    const l = await g.listen(0, { host: '127.0.0.1' });
    const n = 700;
    const got: string[] = [];
    const before = fds();
    for (let i = 0; i < n; i++) {
      // allowHalfOpen: the peer never closes its side, so only we can free the socket.
      const s = connect({ host: '127.0.0.1', port: l.port, allowHalfOpen: true });
      s.on('error', () => undefined);
      if (i === 0) s.on('data', (d: Buffer) => got.push(d.toString()));
      sockets.push(s);
      await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // well inside the 1 s grace
    const held = fds() - before - n; // ours are the client ends
    expect(held).toBeLessThanOrEqual(MAX_REFUSING + 16);
    expect(got.join('')).toContain('ERROR :'); // the first ones still got their parting line
    expect(r.refused.length).toBeGreaterThanOrEqual(MAX_REFUSING);
  }, 30_000);

  // A listener closes once its sockets have; a refused peer that never closes its side held
  // a stopping node for the rest of its grace (a second; with a test's manual clock, for ever).
  it('do not hold up closing the group', async () => {
    const r = recorder('t', undefined, { limits: { maxInbound: 0 } });
    const g = manager().group(r.opts);
    const l = await g.listen(0, { host: '127.0.0.1' });
    const s = connect({ host: '127.0.0.1', port: l.port, allowHalfOpen: true });
    s.on('error', () => undefined);
    sockets.push(s);
    await new Promise<void>((resolve) => s.once('data', () => resolve())); // its parting line
    const t0 = performance.now();
    await g.close();
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
