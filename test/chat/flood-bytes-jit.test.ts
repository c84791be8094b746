/**
 * A relay's compiled parse survives a line from a node it had not heard from (issue 9): V8
 * keeps no type feedback for a function's first calls, so code that only a relay's first
 * lines ran (a new origin, a new nick) threw the compiled parseFloodAt away when a new node's
 * first line came, to be compiled again. The compiled program is run in a child with V8's
 * test natives, so the test can ask V8 whether the function is still optimized.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/cli-process.js';

const FLOOD_BYTES = pathToFileURL(join(ROOT, 'dist', 'protocols', 'chat', 'flood-bytes.js')).href;

/** Parses chunks of a flood as a relay does; prints V8's optimization status of parseFloodAt before and after a new node's lines. */
const CHILD = `
const { parseFloodAt, floodIdEnd, WireFlood } = await import(${JSON.stringify(FLOOD_BYTES)});
const status = new Function('f', 'return %GetOptimizationStatus(f)');
const prepare = new Function('f', '%PrepareFunctionForOptimization(f)');
const optimize = new Function('f', '%OptimizeFunctionOnNextCall(f)');
const into = new WireFlood();
const lines = (origin, nick, from, n) => Buffer.from(Array.from({ length: n }, (_, k) => 'MSG ' + 'ab'.repeat(8) + (from + k).toString(16).padStart(16, '0') + ' 16 ' + origin + ' 1700000000000 ' + nick + ' :line ' + (from + k) + '\\n').join(''), 'latin1');
function parseChunk(b) {
  let start = 0;
  for (let nl = b.indexOf(10); nl !== -1; nl = b.indexOf(10, start)) {
    if (parseFloodAt(b, start, nl, floodIdEnd(b, start, nl), into) === undefined) throw new Error('not parsed');
    start = nl + 1;
  }
}
const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
parseChunk(lines(A, 'alice', 0, 1)); // a relay's first line: V8 keeps no feedback yet
prepare(parseFloodAt);
for (let c = 0; c < 20; c++) parseChunk(lines(A, 'alice', 1 + c * 50, 50));
optimize(parseFloodAt);
parseChunk(lines(A, 'alice', 2000, 50));
const before = status(parseFloodAt);
parseChunk(lines(B, 'alice', 3000, 50)); // another node under the same nick
parseChunk(lines(B, 'bob', 4000, 50)); // and under another
console.log(JSON.stringify({ before, after: status(parseFloodAt) }));
`;

/** V8's OptimizationStatus bit for code compiled by TurboFan. */
const TURBOFANNED = 1 << 6;

describe('parseFloodAt under V8', () => {
  it('stays compiled when lines from another node, under the same nick and under another, follow a flood from one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-jit-'));
    try {
      const script = join(dir, 'child.mjs');
      await writeFile(script, CHILD);
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', script], (err, stdout) => (err ? reject(err) : resolve(stdout))),
      );
      const { before, after } = JSON.parse(out) as { before: number; after: number };
      expect(before & TURBOFANNED).toBe(TURBOFANNED);
      expect(after & TURBOFANNED).toBe(TURBOFANNED);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
