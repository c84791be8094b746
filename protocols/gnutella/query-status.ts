import { NetError } from '../../src/errors.js';
import { VMSG_QUERY_STATUS_REQUEST, VMSG_QUERY_STATUS_RESPONSE, VMSG_QUERY_STATUS_VERSION } from './constants.js';
import { encodeVendor, type VendorMessage, type VendorMessageId } from './vendor.js';

/** The vendor code of the query-status messages (BearShare's). */
export const VENDOR_BEAR_QS = 'BEAR';

/** What we list in Messages Supported for leaf-guided dynamic querying (spec 3.5). */
export const QUERY_STATUS_MESSAGES: readonly VendorMessageId[] = [
  { vendor: VENDOR_BEAR_QS, selector: VMSG_QUERY_STATUS_REQUEST, version: VMSG_QUERY_STATUS_VERSION },
  { vendor: VENDOR_BEAR_QS, selector: VMSG_QUERY_STATUS_RESPONSE, version: VMSG_QUERY_STATUS_VERSION },
];

/** A query-status vendor message: the ultrapeer asks (`request`), the leaf answers with the hits it kept. */
export type QueryStatus = { kind: 'request' } | { kind: 'response'; kept: number };

/** `BEAR/11v1` (empty; the descriptor's MUID is the query's). */
export function encodeQueryStatusRequest(): Buffer {
  return encodeVendor({ vendor: VENDOR_BEAR_QS, selector: VMSG_QUERY_STATUS_REQUEST, version: VMSG_QUERY_STATUS_VERSION, body: Buffer.alloc(0) });
}

/** `BEAR/12v1`: hits kept, LE16; 0xFFFF = stop. */
export function encodeQueryStatusResponse(kept: number): Buffer {
  const body = Buffer.alloc(2);
  body.writeUInt16LE(Math.max(0, Math.min(0xffff, kept)), 0);
  return encodeVendor({ vendor: VENDOR_BEAR_QS, selector: VMSG_QUERY_STATUS_RESPONSE, version: VMSG_QUERY_STATUS_VERSION, body });
}

/** Reads BEAR/11 or BEAR/12; undefined for other vendor messages; a short BEAR/12 is a BAD_MESSAGE. */
export function decodeQueryStatus(m: VendorMessage): QueryStatus | undefined {
  if (m.vendor !== VENDOR_BEAR_QS) return undefined;
  if (m.selector === VMSG_QUERY_STATUS_REQUEST) return { kind: 'request' };
  if (m.selector !== VMSG_QUERY_STATUS_RESPONSE) return undefined;
  if (m.body.length < 2) throw NetError.badMessage(`query status response of ${m.body.length} bytes`);
  return { kind: 'response', kept: m.body.readUInt16LE(0) };
}
