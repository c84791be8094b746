import { NetError } from '../../src/errors.js';
import { NUL } from './constants.js';

/** Bye payload (spec 2.10): a 2-byte LE code and a NUL-terminated text (status + `Server:` header). */
export interface Bye {
  kind: 'bye';
  code: number;
  reason: string;
}

/** Parses a Bye; a missing NUL is tolerated (the text runs to the end), < 2 bytes is a BAD_MESSAGE. */
export function decodeBye(payload: Buffer): Bye {
  if (payload.length < 2) throw NetError.badMessage(`bye of ${payload.length} bytes`);
  const nul = payload.indexOf(NUL, 2);
  const text = payload.toString('utf8', 2, nul === -1 ? payload.length : nul);
  return { kind: 'bye', code: payload.readUInt16LE(0), reason: text.split('\r\n')[0] ?? '' };
}

/** Serialises a Bye: code, reason line, `Server:` header, empty line, NUL (spec 7.5). */
export function encodeBye(code: number, reason: string, server: string): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16LE(code, 0);
  const clean = reason.replace(/[\r\n\0]/g, ' ');
  return Buffer.concat([head, Buffer.from(`${clean}\r\nServer: ${server}\r\n\r\n`, 'utf8'), Buffer.from([NUL])]);
}
