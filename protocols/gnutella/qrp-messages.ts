import { NetError } from '../../src/errors.js';
import { QRP_PATCH, QRP_RESET } from './constants.js';

/** ROUTE_TABLE_UPDATE RESET (spec 2.12): table length (power of two) and infinity. */
export interface QrpReset {
  kind: 'qrp-reset';
  tableLength: number;
  infinity: number;
}

/** ROUTE_TABLE_UPDATE PATCH (spec 2.12): one chunk of a (possibly zlib) patch sequence. */
export interface QrpPatch {
  kind: 'qrp-patch';
  seqNo: number;
  seqSize: number;
  compressor: number;
  entryBits: number;
  data: Buffer;
}

const RESET_BYTES = 6;
const PATCH_HEAD = 5;

export function decodeQrp(payload: Buffer): QrpReset | QrpPatch {
  const variant = payload[0];
  if (variant === QRP_RESET) {
    if (payload.length < RESET_BYTES) throw NetError.badMessage(`QRP reset of ${payload.length} bytes`);
    return { kind: 'qrp-reset', tableLength: payload.readUInt32LE(1), infinity: payload[5]! };
  }
  if (variant === QRP_PATCH) {
    if (payload.length < PATCH_HEAD) throw NetError.badMessage(`QRP patch of ${payload.length} bytes`);
    return {
      kind: 'qrp-patch',
      seqNo: payload[1]!,
      seqSize: payload[2]!,
      compressor: payload[3]!,
      entryBits: payload[4]!,
      data: Buffer.from(payload.subarray(PATCH_HEAD)),
    };
  }
  throw NetError.badMessage(`unknown QRP variant ${variant ?? 'none'}`);
}

export function encodeQrpReset(tableLength: number, infinity: number): Buffer {
  const out = Buffer.alloc(RESET_BYTES);
  out[0] = QRP_RESET;
  out.writeUInt32LE(tableLength, 1);
  out[5] = infinity;
  return out;
}

export function encodeQrpPatch(p: Omit<QrpPatch, 'kind'>): Buffer {
  return Buffer.concat([Buffer.from([QRP_PATCH, p.seqNo, p.seqSize, p.compressor, p.entryBits]), p.data]);
}
