import { NetError } from '../../src/errors.js';

/** An IPv4 host and port as Gnutella messages carry them. */
export interface HostPort {
  ip: string;
  port: number;
}

/** Writes dotted IPv4 in network order (spec 0: addresses are big-endian). */
export function writeIpv4(ip: string, out: Buffer, at: number): void {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new RangeError(`not an IPv4 address: ${ip}`);
  parts.forEach((p, i) => {
    const n = Number(p);
    if (!/^\d{1,3}$/.test(p) || n > 255) throw new RangeError(`not an IPv4 address: ${ip}`);
    out[at + i] = n;
  });
}

/** Reads 4 network-order bytes as dotted IPv4. */
export function readIpv4(buf: Buffer, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
}

/** Packs hosts as IPP/PUSH/ALT entries: 4 bytes IPv4 (network order) + port LE (spec 2.6). */
export function packHosts(hosts: readonly HostPort[]): Buffer {
  const out = Buffer.alloc(hosts.length * 6);
  hosts.forEach((h, i) => {
    writeIpv4(h.ip, out, i * 6);
    out.writeUInt16LE(h.port, i * 6 + 4);
  });
  return out;
}

/** Unpacks 6-byte host entries; a length that is not a multiple of 6 is a BAD_MESSAGE. */
export function unpackHosts(data: Buffer, max = 64): HostPort[] {
  if (data.length % 6 !== 0) throw NetError.badMessage(`packed hosts of ${data.length} bytes`);
  const out: HostPort[] = [];
  for (let i = 0; i < data.length && out.length < max; i += 6) {
    out.push({ ip: readIpv4(data, i), port: data.readUInt16LE(i + 4) });
  }
  return out;
}

/**
 * Private, loopback, link-local or unspecified IPv4 (spec 4.1): a hit from such
 * an address that gives no push flag is treated as firewalled.
 */
export function isPrivateIpv4(ip: string): boolean {
  const p = ip.split('.').map(Number);
  const [a = 0, b = 0] = p;
  return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}
