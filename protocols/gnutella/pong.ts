import { NetError } from '../../src/errors.js';
import { GGEP_MAGIC, PONG_FIXED_BYTES } from './constants.js';
import { decodeGgep, encodeGgep, type GgepExtension, type GgepWrite } from './ggep.js';
import { readIpv4, writeIpv4 } from './ipv4.js';

/** Ping payload (spec 2.6): empty or one GGEP block (`SCP`, `IP`...). */
export interface Ping {
  kind: 'ping';
  ggep: GgepExtension[];
}

/** Pong payload (spec 2.6): who answers, what it shares, optional GGEP (`IPP`, `UP`, `DU`, `VC`). */
export interface Pong {
  kind: 'pong';
  port: number;
  ip: string;
  files: number;
  /** Shared size in KiB; a power of two >= 8 marks an ultrapeer. */
  kbytes: number;
  ggep: GgepExtension[];
}

/** Parses a Ping payload; bytes that are not a GGEP block are a BAD_MESSAGE. */
export function decodePing(payload: Buffer): Ping {
  if (payload.length === 0) return { kind: 'ping', ggep: [] };
  if (payload[0] !== GGEP_MAGIC) throw NetError.badMessage('ping payload is not GGEP');
  return { kind: 'ping', ggep: decodeGgep(payload, 0).extensions };
}

export function encodePing(ggep: readonly GgepWrite[] = []): Buffer {
  return ggep.length === 0 ? Buffer.alloc(0) : encodeGgep(ggep);
}

/** Parses a Pong payload; shorter than 14 bytes is a BAD_MESSAGE (spec 6). */
export function decodePong(payload: Buffer): Pong {
  if (payload.length < PONG_FIXED_BYTES) throw NetError.badMessage(`pong of ${payload.length} bytes`);
  let ggep: GgepExtension[] = [];
  if (payload.length > PONG_FIXED_BYTES) {
    if (payload[PONG_FIXED_BYTES] !== GGEP_MAGIC) throw NetError.badMessage('pong extension is not GGEP');
    ggep = decodeGgep(payload, PONG_FIXED_BYTES).extensions;
  }
  return {
    kind: 'pong',
    port: payload.readUInt16LE(0),
    ip: readIpv4(payload, 2),
    files: payload.readUInt32LE(6),
    kbytes: payload.readUInt32LE(10),
    ggep,
  };
}

export function encodePong(p: Omit<Pong, 'kind' | 'ggep'> & { ggep?: readonly GgepWrite[] }): Buffer {
  const head = Buffer.alloc(PONG_FIXED_BYTES);
  head.writeUInt16LE(p.port, 0);
  writeIpv4(p.ip, head, 2);
  head.writeUInt32LE(p.files, 6);
  head.writeUInt32LE(p.kbytes, 10);
  return p.ggep && p.ggep.length > 0 ? Buffer.concat([head, encodeGgep(p.ggep)]) : head;
}

/**
 * A leaf's shared KiB in its Pong: never a power of two >= 8, which would mark it as an
 * ultrapeer (spec 2.6) and send other servents dialling a leaf that refuses them; made odd,
 * as gtk-gnutella does (`kbytes |= 1`), which moves it by at most 1 KiB.
 */
export function leafKbytes(kbytes: number): number {
  return kbytes === 0 ? 0 : (kbytes | 1) >>> 0;
}

/** The Pong "ultrapeer mark": shared KiB rounded to a power of two >= 8 (spec 2.6). */
export function ultrapeerKbytes(kbytes: number): number {
  let p = 8;
  while (p < kbytes && p < 2 ** 31) p *= 2;
  return p;
}
