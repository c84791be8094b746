import {
  DESCRIPTOR_BYE,
  DESCRIPTOR_PING,
  DESCRIPTOR_PONG,
  DESCRIPTOR_PUSH,
  DESCRIPTOR_QUERY,
  DESCRIPTOR_QUERY_HIT,
  DESCRIPTOR_ROUTE_TABLE_UPDATE,
  DESCRIPTOR_VENDOR,
  DESCRIPTOR_VENDOR_STD,
} from './constants.js';
import { decodeBye, type Bye } from './bye.js';
import type { Descriptor } from './descriptor.js';
import { decodePing, decodePong, type Ping, type Pong } from './pong.js';
import { decodePush, type Push } from './push.js';
import { decodeQrp, type QrpPatch, type QrpReset } from './qrp-messages.js';
import { decodeQuery, type Query } from './query.js';
import { decodeQueryHit, type QueryHit } from './query-hit.js';
import { decodeVendor, type VendorMessage } from './vendor.js';

/** A type we do not handle (RUDP, DHT, HSEP, private codes): dropped quietly (spec 2.2). */
export interface UnknownMessage {
  kind: 'unknown';
  type: number;
}

/** Every payload, parsed: one tagged union for the servent's exhaustive switches. */
export type GnutellaMessage = Ping | Pong | Bye | QrpReset | QrpPatch | VendorMessage | Push | Query | QueryHit | UnknownMessage;

/**
 * Parses a descriptor's payload by its type. Throws NetError BAD_MESSAGE for a
 * malformed payload; the caller drops and counts it (spec 6), the link stays.
 */
export function decodeMessage(d: Descriptor): GnutellaMessage {
  switch (d.type) {
    case DESCRIPTOR_PING:
      return decodePing(d.payload);
    case DESCRIPTOR_PONG:
      return decodePong(d.payload);
    case DESCRIPTOR_BYE:
      return decodeBye(d.payload);
    case DESCRIPTOR_ROUTE_TABLE_UPDATE:
      return decodeQrp(d.payload);
    case DESCRIPTOR_VENDOR:
    case DESCRIPTOR_VENDOR_STD:
      return decodeVendor(d.payload);
    case DESCRIPTOR_PUSH:
      return decodePush(d.payload);
    case DESCRIPTOR_QUERY:
      return decodeQuery(d.payload);
    case DESCRIPTOR_QUERY_HIT:
      return decodeQueryHit(d.payload);
    default:
      return { kind: 'unknown', type: d.type };
  }
}
