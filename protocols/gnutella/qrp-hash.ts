import { QRP_HASH_MULTIPLIER } from './constants.js';

/**
 * The QRP hash of an already canonical (lower-cased) word (spec 3.3): XOR the
 * low byte of each UTF-16 code unit into a 32-bit number (little-endian groups
 * of 4), multiply by 0x4F1BBCDC modulo 2^32, keep the top `bits` bits.
 */
export function qrpHashCanonical(word: string, bits: number): number {
  let x = 0;
  let j = 0;
  for (let i = 0; i < word.length; i++) {
    x ^= (word.charCodeAt(i) & 0xff) << j;
    j = (j + 8) & 24;
  }
  return (Math.imul(x, QRP_HASH_MULTIPLIER) >>> 0) >>> (32 - bits);
}

/** The QRP hash of a word as typed: lower-cased first (spec 3.3 step 1). */
export function qrpHash(word: string, bits: number): number {
  return qrpHashCanonical(word.toLowerCase(), bits);
}
