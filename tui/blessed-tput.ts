/**
 * Makes blessed compile a terminal capability the first time it is used, not
 * all of them when the screen is made. blessed 0.1.81's Tput turns each
 * string capability of the terminfo entry (168 for xterm-256color) into a
 * JavaScript function (`new Function` over generated code) before the first
 * frame can be drawn: about 16 ms of the start, for the dozen or two a
 * session uses. Here `_compile` hands back, for a string capability, a function
 * that compiles it on its first call and then calls the compiled one; every
 * other kind of value (flags, numbers, the empty string, init/reset files,
 * `stringify`) is compiled at once as before. What a capability writes is
 * unchanged (test/tui/blessed-tput.test.ts compares every one). Process-wide
 * and idempotent, as blessed-width.ts: only the TUI uses blessed.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A compiled string capability: blessed calls it with the parameters as one array. */
type CapFunction = (this: unknown, params: unknown[]) => unknown;
type Compile = (this: TputLike, info: unknown, key: string, str: unknown) => unknown;

interface TputLike {
  options?: { stringify?: boolean };
}

interface TputClass {
  prototype: { _compile: Compile; __peerdeckLazy?: boolean };
}

function isTputClass(m: unknown): m is TputClass {
  return typeof m === 'function' && typeof (m as { prototype?: { _compile?: unknown } }).prototype?._compile === 'function';
}

/** What the lazy compile leaves to blessed's own at once: everything but a plain string capability. */
function compiledAtOnce(tput: TputLike, key: string, str: unknown): boolean {
  return typeof str !== 'string' || str === '' || key === 'init_file' || key === 'reset_file' || tput.options?.stringify === true;
}

/** blessed's Tput class with `_compile` made lazy for string capabilities (once per process). */
export function patchBlessedTput(): void {
  const mod: unknown = require('blessed/lib/tput');
  if (!isTputClass(mod) || mod.prototype.__peerdeckLazy) return;
  const compile = mod.prototype._compile;
  mod.prototype._compile = function lazyCompile(this: TputLike, info: unknown, key: string, str: unknown): unknown {
    if (compiledAtOnce(this, key, str)) return compile.call(this, info, key, str);
    const tput = this;
    let compiled: CapFunction | undefined;
    return function compileOnFirstCall(this: unknown, params: unknown[]): unknown {
      compiled ??= compile.call(tput, info, key, str) as CapFunction;
      return compiled.call(this, params);
    };
  };
  mod.prototype.__peerdeckLazy = true;
}
