import { connect, type Socket } from 'node:net';
import { NetError } from '../../src/errors.js';
import type { HostPort } from './ipv4.js';

/** Connect timeout of a GIV callback or a connect-back. */
export const CALLBACK_CONNECT_TIMEOUT_MS = 10_000;
/** Callbacks (GIV and connect-back) in flight at once; a push past this is dropped and counted. */
export const MAX_CALLBACKS_IN_FLIGHT = 8;

/** Why a Push addressed to us is not answered (counted in `/gstatus`). */
export type PushDropReason = 'bad-address' | 'busy' | 'repeat';

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
 * Opens a TCP connection to `target` and writes `first` (a GIV, a connect-back
 * line); resolves with the socket once written, rejects with a NetError on a
 * refused connection or after the timeout.
 */
export function callBack(target: HostPort, first: Buffer, timeoutMs = CALLBACK_CONNECT_TIMEOUT_MS): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: target.ip, port: target.port });
    s.setTimeout(timeoutMs);
    const fail = (err: NetError): void => {
      s.destroy();
      reject(err);
    };
    s.once('timeout', () => fail(NetError.timeout(`connecting to ${target.ip}:${target.port}`, timeoutMs)));
    s.once('error', (err) => fail(NetError.socket(err)));
    s.once('connect', () => {
      s.setTimeout(0);
      s.removeAllListeners('timeout');
      s.removeAllListeners('error');
      // Later errors belong to whoever takes the socket; until then, never unhandled.
      s.on('error', () => s.destroy());
      s.write(first);
      resolve(s);
    });
  });
}
