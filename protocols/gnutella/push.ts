import { NetError } from '../../src/errors.js';
import { GGEP_MAGIC, GUID_BYTES, PUSH_FIXED_BYTES } from './constants.js';
import { decodeGgep, encodeGgep, type GgepExtension, type GgepWrite } from './ggep.js';
import { readIpv4, writeIpv4 } from './ipv4.js';

/** Push payload (spec 2.9): "servent GUID, connect to ip:port and offer file index". */
export interface Push {
  kind: 'push';
  serventGuid: Buffer;
  index: number;
  ip: string;
  port: number;
  ggep: GgepExtension[];
}

export function decodePush(payload: Buffer): Push {
  if (payload.length < PUSH_FIXED_BYTES) throw NetError.badMessage(`push of ${payload.length} bytes`);
  let ggep: GgepExtension[] = [];
  if (payload.length > PUSH_FIXED_BYTES) {
    if (payload[PUSH_FIXED_BYTES] !== GGEP_MAGIC) throw NetError.badMessage('push extension is not GGEP');
    ggep = decodeGgep(payload, PUSH_FIXED_BYTES).extensions;
  }
  return {
    kind: 'push',
    serventGuid: Buffer.from(payload.subarray(0, GUID_BYTES)),
    index: payload.readUInt32LE(16),
    ip: readIpv4(payload, 20),
    port: payload.readUInt16LE(24),
    ggep,
  };
}

export function encodePush(p: Omit<Push, 'kind' | 'ggep'> & { ggep?: readonly GgepWrite[] }): Buffer {
  if (p.serventGuid.length !== GUID_BYTES) throw new RangeError('servent GUID must be 16 bytes');
  const head = Buffer.alloc(PUSH_FIXED_BYTES);
  p.serventGuid.copy(head, 0);
  head.writeUInt32LE(p.index, 16);
  writeIpv4(p.ip, head, 20);
  head.writeUInt16LE(p.port, 24);
  return p.ggep && p.ggep.length > 0 ? Buffer.concat([head, encodeGgep(p.ggep)]) : head;
}
