import { NetError } from '../../src/errors.js';
import { MAX_SUPPORTED_ENTRIES, VENDOR_CODE_BYTES, VENDOR_NULL, VMSG_MESSAGES_SUPPORTED } from './constants.js';

/** A vendor message (spec 2.11): `VEND/selector v version` + body. */
export interface VendorMessage {
  kind: 'vendor';
  /** 4 ASCII bytes, case-sensitive; all-NUL for the "null" vendor. */
  vendor: string;
  selector: number;
  version: number;
  body: Buffer;
}

/** One entry of Messages Supported. */
export interface VendorMessageId {
  vendor: string;
  selector: number;
  version: number;
}

const VENDOR_HEAD = VENDOR_CODE_BYTES + 4;

export function decodeVendor(payload: Buffer): VendorMessage {
  if (payload.length < VENDOR_HEAD) throw NetError.badMessage(`vendor message of ${payload.length} bytes`);
  return {
    kind: 'vendor',
    vendor: payload.toString('latin1', 0, VENDOR_CODE_BYTES),
    selector: payload.readUInt16LE(4),
    version: payload.readUInt16LE(6),
    body: Buffer.from(payload.subarray(VENDOR_HEAD)),
  };
}

export function encodeVendor(m: Omit<VendorMessage, 'kind'>): Buffer {
  const head = Buffer.alloc(VENDOR_HEAD);
  if (Buffer.byteLength(m.vendor, 'latin1') !== VENDOR_CODE_BYTES) throw new RangeError('vendor code must be 4 bytes');
  head.write(m.vendor, 0, 'latin1');
  head.writeUInt16LE(m.selector, 4);
  head.writeUInt16LE(m.version, 6);
  return Buffer.concat([head, m.body]);
}

/** Body of Messages Supported (`null/0v0`): count LE16 + entries of vendor, selector, version. */
export function encodeMessagesSupported(ids: readonly VendorMessageId[]): Buffer {
  const body = Buffer.alloc(2 + ids.length * VENDOR_HEAD);
  body.writeUInt16LE(ids.length, 0);
  ids.forEach((id, i) => {
    const at = 2 + i * VENDOR_HEAD;
    body.write(id.vendor, at, 'latin1');
    body.writeUInt16LE(id.selector, at + 4);
    body.writeUInt16LE(id.version, at + 6);
  });
  return encodeVendor({ vendor: VENDOR_NULL, selector: VMSG_MESSAGES_SUPPORTED, version: 0, body });
}

/** Reads a Messages Supported body; a count past the body or over the cap is a BAD_MESSAGE. */
export function decodeMessagesSupported(body: Buffer): VendorMessageId[] {
  if (body.length < 2) throw NetError.badMessage('messages supported without count');
  const n = body.readUInt16LE(0);
  if (n > MAX_SUPPORTED_ENTRIES) throw NetError.badMessage(`messages supported lists ${n} entries`);
  if (2 + n * VENDOR_HEAD > body.length) throw NetError.badMessage('messages supported entries run past the body');
  const out: VendorMessageId[] = [];
  for (let i = 0; i < n; i++) {
    const at = 2 + i * VENDOR_HEAD;
    out.push({ vendor: body.toString('latin1', at, at + 4), selector: body.readUInt16LE(at + 4), version: body.readUInt16LE(at + 6) });
  }
  return out;
}

/** Whether a vendor message is Messages Supported. */
export function isMessagesSupported(m: VendorMessage): boolean {
  return m.vendor === VENDOR_NULL && m.selector === VMSG_MESSAGES_SUPPORTED;
}
