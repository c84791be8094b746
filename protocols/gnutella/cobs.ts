import { NetError } from '../../src/errors.js';

const MAX_CODE = 0xff;

/**
 * Consistent Overhead Byte Stuffing, the escaping GGEP uses so that an
 * extension's data holds no NUL byte inside a NUL-terminated area (spec 2.13).
 * Standard COBS: the data is treated as if followed by one zero, which the
 * decoder drops again.
 */
export function cobsEncode(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length + Math.ceil(data.length / 254) + 1);
  let codeAt = 0;
  let w = 1;
  let code = 1;
  for (const b of data) {
    if (b === 0) {
      out[codeAt] = code;
      codeAt = w++;
      code = 1;
      continue;
    }
    out[w++] = b;
    code++;
    if (code === MAX_CODE) {
      out[codeAt] = code;
      codeAt = w++;
      code = 1;
    }
  }
  out[codeAt] = code;
  return out.subarray(0, w);
}

/** Reverses `cobsEncode`; a NUL byte or a code running past the end is a BAD_MESSAGE. */
export function cobsDecode(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  let w = 0;
  let i = 0;
  while (i < data.length) {
    const code = data[i++]!;
    if (code === 0) throw NetError.badMessage('COBS data holds a NUL byte');
    if (i + code - 1 > data.length) throw NetError.badMessage('COBS block runs past the end');
    for (let k = 1; k < code; k++) {
      const b = data[i++]!;
      if (b === 0) throw NetError.badMessage('COBS data holds a NUL byte');
      out[w++] = b;
    }
    if (code < MAX_CODE && i < data.length) out[w++] = 0;
  }
  return out.subarray(0, w);
}
