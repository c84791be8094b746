/**
 * Makes blessed measure characters with our width table. blessed 0.1.81's own
 * table predates emoji (it counts U+1F600 as one column), which shifts every
 * cell after an emoji on real terminals. Its draw loop calls
 * `unicode.charWidth(cell)` to decide whether a cell is double-width and the
 * next (filler) cell must be skipped; pointing that at `charWidth` keeps the
 * screen buffer and the terminal in step. Process-wide and idempotent:
 * blessed's unicode module is a singleton, and only the TUI uses blessed.
 */
import { createRequire } from 'node:module';
import { charWidth } from './text-width.js';

const require = createRequire(import.meta.url);

interface BlessedUnicode {
  charWidth: (str: string | number, i?: number) => number;
  strWidth: (str: string) => number;
  __peerdeckWidth?: boolean;
}

function isBlessedUnicode(m: unknown): m is BlessedUnicode {
  return typeof m === 'object' && m !== null && typeof (m as { charWidth?: unknown }).charWidth === 'function';
}

/** Points blessed's `unicode.charWidth` at ours (once per process). */
export function patchBlessedWidth(): void {
  const mod: unknown = require('blessed/lib/unicode');
  if (!isBlessedUnicode(mod) || mod.__peerdeckWidth) return;
  mod.charWidth = (str: string | number, i = 0): number => {
    const cp = typeof str === 'number' ? str : (str.codePointAt(i) ?? 0);
    return charWidth(cp);
  };
  mod.__peerdeckWidth = true;
}
