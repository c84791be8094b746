import type { Socket } from 'node:net';
import type { ConnectionGroup } from '../../src/net/connection-group.js';
import type { HostPort } from './ipv4.js';

/** Connect timeout of a GIV callback or a connect-back. */
export const CALLBACK_CONNECT_TIMEOUT_MS = 10_000;
/** Callbacks (GIV and connect-back) in flight at once; a push past this is dropped and counted. */
export const MAX_CALLBACKS_IN_FLIGHT = 8;

/** Why a Push addressed to us is not answered (counted in `/gstatus`). */
export type PushDropReason = 'bad-address' | 'busy' | 'repeat' | 'hostile';

/** What to do with a Push for our GUID (spec 4.4). */
export type PushDecision = { kind: 'call-back'; target: HostPort; key: string } | { kind: 'drop'; reason: PushDropReason };

/**
 * Decides whether to answer a Push for us with a callback: never to 0.0.0.0,
 * a port of 0, multicast or broadcast addresses; not when the callbacks in
 * flight are at their cap; not twice at once to the same address and file
 * (a proxy and a route may both deliver one request). Pure.
 */
export function decidePush(p: { ip: string; port: number; index: number }, inFlight: ReadonlySet<string>): PushDecision {
  const first = Number(p.ip.split('.')[0]);
  if (p.port === 0 || p.ip === '0.0.0.0' || first === 0 || first >= 224) return { kind: 'drop', reason: 'bad-address' };
  const key = `${p.ip}:${p.port}/${p.index}`;
  if (inFlight.has(key)) return { kind: 'drop', reason: 'repeat' };
  if (inFlight.size >= MAX_CALLBACKS_IN_FLIGHT) return { kind: 'drop', reason: 'busy' };
  return { kind: 'call-back', target: { ip: p.ip, port: p.port }, key };
}

/**
 * Opens a TCP connection to `target` through the core's connection group
 * (its limits and dial timeout), takes the raw socket and writes `first` (a
 * GIV, a connect-back line); resolves with the socket, rejects with the dial's
 * NetError (refused, timed out).
 */
export async function callBack(group: ConnectionGroup<unknown>, target: HostPort, first: Buffer, timeoutMs = CALLBACK_CONNECT_TIMEOUT_MS): Promise<Socket> {
  const conn = await group.dial(target.ip, target.port, { timeoutMs, tag: 'callback' });
  const { socket, head } = conn.detach();
  if (head.length > 0) socket.unshift(head);
  // Errors belong to whoever takes the socket next; until then, never unhandled.
  socket.on('error', () => socket.destroy());
  socket.write(first);
  return socket;
}
