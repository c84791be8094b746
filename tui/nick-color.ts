/**
 * A stable colour per nick (the same nick gets the same colour on every run
 * and every machine), as weechat's nick colouring does: FNV-1a of the
 * lower-cased nick picks from a palette readable on dark and light themes.
 */

/** 256-colour-safe colours; blessed reduces them to the terminal's palette. */
export const NICK_PALETTE: readonly string[] = [
  '#5f87ff', '#5fd75f', '#d7af00', '#d75fd7', '#00afaf', '#ff875f',
  '#87afff', '#87d700', '#d787af', '#5fafd7', '#af87ff', '#d7875f',
];

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over the UTF-16 code units of `s`. */
export function fnv1a(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** The colour a nick is always drawn in. */
export function nickColor(nick: string, palette: readonly string[] = NICK_PALETTE): string {
  const c = palette[fnv1a(nick.toLowerCase()) % palette.length];
  return c ?? '#ffffff';
}
