/**
 * Makes blessed measure characters with our widths. blessed 0.1.81's own
 * table predates emoji (it counts U+1F600 as one column), which shifts every
 * cell after an emoji on real terminals. Its draw loop calls
 * `unicode.charWidth(cell)` to decide whether a cell is double-width and the
 * next (filler) cell must be skipped; a cell holds one grapheme cluster
 * (cell-paint.ts), so pointing that at `clusterWidth` of the cluster keeps the
 * screen buffer and the terminal in step, flags and ZWJ emoji included. Process-wide and idempotent:
 * blessed's unicode module is a singleton, and only the TUI uses blessed.
 */
import { createRequire } from 'node:module';
import { charWidth, clusterWidth, graphemes } from './text-width.js';

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
    if (typeof str === 'number') return charWidth(str);
    const first = graphemes(i === 0 ? str : str.slice(i))[0];
    return first === undefined ? 0 : clusterWidth(first);
  };
  mod.__peerdeckWidth = true;
}
