/**
 * Hops Flow, `BEAR/4v1` (spec 2.11, 6): one byte h, "send me only queries whose
 * hops are below h"; 0 stops every query. gtk-gnutella sends 0 to a neighbour
 * whose queue to it has entered flow control and 255 when it has left, and a leaf
 * that shares nothing may send 0; it sends it only to servents that list BEAR/4v1
 * in Messages Supported. As gtk-gnutella honours it (nodes.h node_query_hops_ok,
 * gmsg.c gmsg_query_can_send, vmsg.c handle_hops_flow): a query goes to the link
 * only while its hops as sent are below the link's h; a version above 1 or an
 * empty body changes nothing; dynamic querying passes over a link at 0 (dq.c); a
 * leaf below 3 is left out of our last-hop QRP table (qrp.c).
 */
import type { VendorMessage, VendorMessageId } from './vendor.js';

export const VENDOR_BEAR_HF = 'BEAR';
export const VMSG_HOPS_FLOW = 4;
export const VMSG_HOPS_FLOW_VERSION = 1;
/** A link's hops flow until it says otherwise: every query passes (gtk-gnutella's MAX_HOP_COUNT). */
export const HOPS_FLOW_OPEN = 255;

/**
 * A leaf whose Hops Flow is below this cannot be searched from afar, so an ultrapeer
 * leaves its QRP table out of the merged last-hop table it sends (NODE_LEAF_MIN_FLOW).
 */
export const LEAF_MIN_FLOW = 3;

/** What we list in Messages Supported so that peers send it. */
export const HOPS_FLOW_MESSAGES: readonly VendorMessageId[] = [{ vendor: VENDOR_BEAR_HF, selector: VMSG_HOPS_FLOW, version: VMSG_HOPS_FLOW_VERSION }];

/** The h of a Hops Flow message, or undefined for any other vendor message (or one we ignore). */
export function decodeHopsFlow(m: VendorMessage): number | undefined {
  if (m.vendor !== VENDOR_BEAR_HF || m.selector !== VMSG_HOPS_FLOW || m.version > VMSG_HOPS_FLOW_VERSION) return undefined;
  return m.body.length >= 1 ? m.body[0] : undefined;
}

/** Whether a query with `hops` (as it goes out) may be sent to a link whose hops flow is `flow`. */
export function hopsFlowAllows(hops: number, flow: number): boolean {
  return hops < flow;
}
