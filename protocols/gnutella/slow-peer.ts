/**
 * What to do about a peer that does not read what we send (spec 6 "Limits",
 * gtk-gnutella's mq.c and nodes.c): a precious message that would fill the send
 * queue past its cap gets the peer `Bye 502 Send queue reached N bytes`, and a
 * link that stays in flow control (congested) too long gets
 * `Bye 405 Flow-controlled for too long (N secs)`, instead of a silent drop.
 * Pure decisions: the servent carries them out.
 */
import { HEADER_BYTES, MAX_BYE_PAYLOAD } from './constants.js';

/**
 * Room kept free below the hard cap for the Bye itself, so it is queued
 * after everything else without growing the queue past the cap.
 */
export const BYE_ROOM = HEADER_BYTES + MAX_BYE_PAYLOAD;

/** A link congested this long is kicked (gtk-gnutella's `node_tx_flowc_timeout`, 180 s). */
export const FLOW_CONTROL_MS = 180_000;

/**
 * A precious (non-droppable) descriptor of `len` bytes on a link holding `queued`:
 * `send` it, or say `bye` (502) because it would leave no room for the Bye under `hardCap`.
 * Droppable traffic is left to the core's send policy (dropped above the high mark).
 */
export function overflowVerdict(queued: number, len: number, droppable: boolean, hardCap: number): 'send' | 'bye' {
  return !droppable && queued + len > hardCap - BYE_ROOM ? 'bye' : 'send';
}

/** The text of the 502 Bye, in gtk-gnutella's words. */
export function queueFullReason(hardCap: number): string {
  return `Send queue reached ${hardCap} bytes`;
}

/** The text of the 405 Bye for a link in flow control too long, in gtk-gnutella's words. */
export function flowControlReason(limitMs: number): string {
  const secs = Math.round(limitMs / 1000);
  return `Flow-controlled for too long (${secs} sec${secs === 1 ? '' : 's'})`;
}

/**
 * One look at a link's flow control: when it became congested (kept while it
 * stays so, forgotten once it drains) and whether it has been so for `limitMs`.
 */
export function flowControlCheck(congested: boolean, since: number | undefined, now: number, limitMs: number): { since: number | undefined; kick: boolean } {
  if (!congested) return { since: undefined, kick: false };
  const from = since ?? now;
  return { since: from, kick: now - from >= limitMs };
}
