/**
 * blessed's terminal capabilities compiled on first use (tui/blessed-tput.ts):
 * a screen starts without compiling the string capabilities (168 for
 * xterm-256color), and each one
 * writes exactly what blessed's own eager compile writes.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { patchBlessedTput } from '../../tui/blessed-tput.js';

const require = createRequire(import.meta.url);

type Cap = (...params: unknown[]) => unknown;
interface Tput {
  strings: Record<string, string>;
  cup?: Cap;
  [cap: string]: unknown;
}
type TputClass = { new (opts: { terminal: string; forceUnicode?: boolean }): Tput; prototype: { _compile: (...a: unknown[]) => unknown } };

const Tput = require('blessed/lib/tput') as TputClass;
/** Parameters enough for any capability (cup takes 2, sgr 9); each is distinct so a mix-up shows. */
const PARAMS = [3, 7, 1, 0, 1, 0, 1, 0, 1];

/** What every string capability of `tput` writes, or the error it throws. */
function outputs(tput: Tput): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const key of Object.keys(tput.strings).sort()) {
    const cap = tput[key];
    if (typeof cap !== 'function') continue;
    try {
      out.set(key, (cap as Cap)(...PARAMS));
    } catch (err) {
      out.set(key, `throws ${String(err)}`);
    }
  }
  return out;
}

describe('blessed terminal capabilities compiled on first use', () => {
  it('compiles no string capability when the terminal is set up, each one once when first used, and each writes what the eager compile writes', () => {
    const eager = new Tput({ terminal: 'xterm-256color', forceUnicode: true });
    const want = outputs(eager);
    expect(want.size).toBeGreaterThan(150);

    // Count the string capabilities blessed's own compile is asked for once the patch wraps it.
    const original = Tput.prototype._compile;
    let compiled = 0;
    Tput.prototype._compile = function counting(this: unknown, ...a: unknown[]): unknown {
      if (typeof a[2] === 'string' && a[2] !== '') compiled++;
      return original.apply(this, a);
    };
    patchBlessedTput();
    patchBlessedTput(); // once per process: a second call does not wrap the wrapper

    const tput = new Tput({ terminal: 'xterm-256color', forceUnicode: true });
    expect(compiled).toBe(0);
    expect(tput.cup!(5, 10)).toBe('\x1b[6;11H');
    expect(compiled).toBe(1);
    expect(tput.cup!(0, 0)).toBe('\x1b[1;1H');
    expect(compiled).toBe(1);
    expect(outputs(tput)).toEqual(want);
  });
});
