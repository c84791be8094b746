/**
 * Splitting test input at arbitrary points: every incremental parser must give
 * the same result however its input is chunked (STYLE.md rule 10).
 */

type Sliceable<T> = { length: number; slice(start?: number, end?: number): T };

/** Splits `input` at the given cut points (taken modulo its length + 1, deduplicated, sorted). */
export function splitAt<T extends Sliceable<T>>(input: T, cuts: readonly number[]): T[] {
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  const out: T[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(input.slice(prev, p));
    prev = p;
  }
  out.push(input.slice(prev));
  return out;
}

/** Every way to cut `input` in two, plus one byte (or character) at a time. */
export function everySplit<T extends Sliceable<T>>(input: T): T[][] {
  const ways: T[][] = [];
  for (let i = 0; i <= input.length; i++) ways.push([input.slice(0, i), input.slice(i)]);
  ways.push(Array.from({ length: input.length }, (_, i) => input.slice(i, i + 1)));
  return ways;
}
