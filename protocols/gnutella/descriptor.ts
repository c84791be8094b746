import { NetError } from '../../src/errors.js';
import {
  DESCRIPTOR_BYE,
  DESCRIPTOR_PING,
  DESCRIPTOR_PONG,
  DESCRIPTOR_PUSH,
  DESCRIPTOR_QUERY,
  DESCRIPTOR_QUERY_HIT,
  GUID_BYTES,
  HEADER_BYTES,
  LENGTH_FLAG_BIT,
  MAX_BYE_PAYLOAD,
  MAX_OTHER_PAYLOAD,
  MAX_PAYLOAD,
  MAX_PING_PAYLOAD,
  MAX_PONG_PAYLOAD,
  MAX_PUSH_PAYLOAD,
  MAX_QUERY_HIT_PAYLOAD,
  MAX_QUERY_PAYLOAD,
} from './constants.js';

/**
 * One Gnutella message as framed on the wire (spec 2.1): the 23-byte header's
 * fields and the raw payload. Payload parsing is separate (`messages.ts`), so a
 * router can decide on the header alone and relay the payload untouched.
 */
export interface Descriptor {
  /** 16-byte message id (MUID). */
  muid: Buffer;
  /** Payload type (DESCRIPTOR_*). */
  type: number;
  ttl: number;
  hops: number;
  payload: Buffer;
}

/**
 * The largest payload accepted for a type, checked when the header is complete
 * and before the body is buffered (spec 2.5 kick sizes; spec 6 "message-level").
 */
export function maxPayloadFor(type: number): number {
  switch (type) {
    case DESCRIPTOR_PING:
      return MAX_PING_PAYLOAD;
    case DESCRIPTOR_PONG:
      return MAX_PONG_PAYLOAD;
    case DESCRIPTOR_PUSH:
      return MAX_PUSH_PAYLOAD;
    case DESCRIPTOR_QUERY:
      return MAX_QUERY_PAYLOAD;
    case DESCRIPTOR_QUERY_HIT:
      return MAX_QUERY_HIT_PAYLOAD;
    case DESCRIPTOR_BYE:
      return MAX_BYE_PAYLOAD;
    default:
      return MAX_OTHER_PAYLOAD;
  }
}

/**
 * Checks a declared payload length against the hard limits: the top "sflag" bit
 * (not negotiated by us), >= 64 KiB, and the per-type kick size. Throws the
 * NetError that closes the link, since a bad length cannot be resynchronised.
 */
export function checkLength(type: number, length: number): void {
  if (length >= LENGTH_FLAG_BIT || length > MAX_PAYLOAD) throw NetError.frameTooLarge(length, MAX_PAYLOAD);
  const max = maxPayloadFor(type);
  if (length > max) throw NetError.frameTooLarge(length, max);
}

/** Serialises a descriptor: header (length LE) + payload. */
export function encodeDescriptor(d: Descriptor): Buffer {
  if (d.muid.length !== GUID_BYTES) throw new RangeError('MUID must be 16 bytes');
  const out = Buffer.allocUnsafe(HEADER_BYTES + d.payload.length);
  d.muid.copy(out, 0);
  out[16] = d.type;
  out[17] = d.ttl;
  out[18] = d.hops;
  out.writeUInt32LE(d.payload.length, 19);
  d.payload.copy(out, HEADER_BYTES);
  return out;
}
