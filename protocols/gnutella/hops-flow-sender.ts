/**
 * Sending Hops Flow when our queue to a peer is congested (spec 6
 * "Connection-level"), as gtk-gnutella does (nodes.c node_tx_enter_flowc /
 * node_tx_leave_flowc): when a link's send queue passes its high watermark we
 * send `BEAR/4v1` with 0, "send me no queries", so the peer stops adding to a
 * link that cannot take its answers; when the queue falls back below the low
 * watermark, 255 lifts it. Only to a peer that listed BEAR/4 in Messages
 * Supported, and at most one change per HOPS_FLOW_GAP_MS so a queue that hovers
 * at the mark does not make us toggle on every message (the maintenance round
 * sends a change held back by the gap). Pure decision, then the servent sends.
 */
import { DESCRIPTOR_VENDOR } from './constants.js';
import type { Descriptor } from './descriptor.js';
import type { GnutellaLink } from './link.js';
import { newGuid } from './servent-guid.js';
import { encodeVendor } from './vendor.js';
import { HOPS_FLOW_OPEN, VENDOR_BEAR_HF, VMSG_HOPS_FLOW, VMSG_HOPS_FLOW_VERSION } from './hops-flow.js';

/** What we ask of a congested link's peer: no queries at all. */
export const CONGESTED_FLOW = 0;
/** Changes of what we told one peer at most this often. */
export const HOPS_FLOW_GAP_MS = 1_000;

/** What we last told a peer, and when (HOPS_FLOW_OPEN at -Infinity: nothing said, nothing held). */
export interface SentHopsFlow {
  value: number;
  at: number;
}

/** The Hops Flow to send a link now, or undefined. */
export function hopsFlowToSend(sent: SentHopsFlow, congested: boolean, listsHopsFlow: boolean, now: number): number | undefined {
  const want = congested ? CONGESTED_FLOW : HOPS_FLOW_OPEN;
  if (want === sent.value || !listsHopsFlow) return undefined;
  return now - sent.at >= HOPS_FLOW_GAP_MS ? want : undefined;
}

/** A Hops Flow vendor message's payload. */
export function encodeHopsFlow(h: number): Buffer {
  return encodeVendor({ vendor: VENDOR_BEAR_HF, selector: VMSG_HOPS_FLOW, version: VMSG_HOPS_FLOW_VERSION, body: Buffer.from([h]) });
}

/** What telling a peer needs from the servent. */
export interface HopsFlowHost {
  send(l: GnutellaLink, d: Descriptor): void;
  readonly push: { listsHopsFlow(l: GnutellaLink): boolean };
}

/** Tells the link's peer a new Hops Flow when hopsFlowToSend says so (after a send, a drain, and each maintenance round); only on an open link. */
export function tellHopsFlow(s: HopsFlowHost, l: GnutellaLink | undefined, now: number): void {
  if (l?.phase !== 'open') return;
  const h = hopsFlowToSend(l.sentHopsFlow, l.conn.congested, s.push.listsHopsFlow(l), now);
  if (h === undefined) return;
  l.sentHopsFlow = { value: h, at: now };
  s.send(l, { muid: newGuid(), type: DESCRIPTOR_VENDOR, ttl: 1, hops: 0, payload: encodeHopsFlow(h) });
}
