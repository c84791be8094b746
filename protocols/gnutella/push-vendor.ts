import { NetError } from '../../src/errors.js';
import { readIpv4, writeIpv4 } from './ipv4.js';
import { encodeVendor, type VendorMessage, type VendorMessageId } from './vendor.js';

/** Vendors and selectors of the firewall and push-proxy messages (spec 2.11, 4.1, 4.3). */
export const VENDOR_BEAR = 'BEAR';
export const VENDOR_LIME = 'LIME';
/** `BEAR/7v1` TCP connect-back: "open a TCP connection to me on this port". */
export const VMSG_TCP_CONNECT_BACK = 7;
export const VMSG_TCP_CONNECT_BACK_VERSION = 1;
/** `LIME/21v1` push-proxy request: empty body, message GUID = the leaf's servent GUID. */
export const VMSG_PUSH_PROXY_REQUEST = 21;
export const VMSG_PUSH_PROXY_REQUEST_VERSION = 1;
/** `LIME/22v2` push-proxy ack: IPv4 + port LE16 to advertise (v1: port only). */
export const VMSG_PUSH_PROXY_ACK = 22;
export const VMSG_PUSH_PROXY_ACK_VERSION = 2;
/** What a connect-back sends before closing (LimeWire's words; GTKG sends a bare `\n\n`). */
export const CONNECT_BACK_LINE = 'CONNECT BACK';

/** The push and firewall vendor messages we understand, for Messages Supported. */
export const PUSH_VENDOR_MESSAGES: readonly VendorMessageId[] = [
  { vendor: VENDOR_BEAR, selector: VMSG_TCP_CONNECT_BACK, version: VMSG_TCP_CONNECT_BACK_VERSION },
  { vendor: VENDOR_LIME, selector: VMSG_PUSH_PROXY_REQUEST, version: VMSG_PUSH_PROXY_REQUEST_VERSION },
  { vendor: VENDOR_LIME, selector: VMSG_PUSH_PROXY_ACK, version: VMSG_PUSH_PROXY_ACK_VERSION },
];

/** One of the push vendor messages, decoded. */
export type PushVendor =
  | { kind: 'connect-back'; port: number }
  | { kind: 'proxy-request' }
  /** `ip` is absent in a v1 ack: the proxy is the link's own address. */
  | { kind: 'proxy-ack'; ip?: string; port: number };

/**
 * Reads a vendor message as one of ours, or undefined when it is another kind.
 * A known kind with a short body is a BAD_MESSAGE; a port of 0 too.
 */
export function decodePushVendor(m: VendorMessage): PushVendor | undefined {
  const port = (at: number): number => {
    if (m.body.length < at + 2) throw NetError.badMessage(`${m.vendor}/${m.selector} body of ${m.body.length} bytes`);
    const p = m.body.readUInt16LE(at);
    if (p === 0) throw NetError.badMessage(`${m.vendor}/${m.selector} with port 0`);
    return p;
  };
  if (m.vendor === VENDOR_BEAR && m.selector === VMSG_TCP_CONNECT_BACK) return { kind: 'connect-back', port: port(0) };
  if (m.vendor !== VENDOR_LIME) return undefined;
  if (m.selector === VMSG_PUSH_PROXY_REQUEST) return { kind: 'proxy-request' };
  if (m.selector === VMSG_PUSH_PROXY_ACK) {
    if (m.version >= 2) {
      const p = port(4);
      return { kind: 'proxy-ack', ip: readIpv4(m.body, 0), port: p };
    }
    return { kind: 'proxy-ack', port: port(0) };
  }
  return undefined;
}

/** Payload of `BEAR/7v1` asking for a connection to `port`. */
export function encodeConnectBack(port: number): Buffer {
  const body = Buffer.alloc(2);
  body.writeUInt16LE(port, 0);
  return encodeVendor({ vendor: VENDOR_BEAR, selector: VMSG_TCP_CONNECT_BACK, version: VMSG_TCP_CONNECT_BACK_VERSION, body });
}

/** Payload of `LIME/21v1` (the descriptor's MUID carries our servent GUID). */
export function encodePushProxyRequest(): Buffer {
  return encodeVendor({ vendor: VENDOR_LIME, selector: VMSG_PUSH_PROXY_REQUEST, version: VMSG_PUSH_PROXY_REQUEST_VERSION, body: Buffer.alloc(0) });
}

/** Payload of `LIME/22v2`: the address a leaf advertises for us. */
export function encodePushProxyAck(ip: string, port: number): Buffer {
  const body = Buffer.alloc(6);
  writeIpv4(ip, body, 0);
  body.writeUInt16LE(port, 4);
  return encodeVendor({ vendor: VENDOR_LIME, selector: VMSG_PUSH_PROXY_ACK, version: VMSG_PUSH_PROXY_ACK_VERSION, body });
}

/** Whether a peer's Messages Supported lists a message. */
export function lists(supported: readonly VendorMessageId[] | undefined, vendor: string, selector: number): boolean {
  return supported?.some((s) => s.vendor === vendor && s.selector === selector) ?? false;
}
