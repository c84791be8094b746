/**
 * Empty arrays for the scan's hot paths that hold objects or strings from the
 * start (issue 9). V8 starts an empty literal `[]` as an array of small
 * integers and changes its kind at the first object or string pushed: when a
 * hot function gets a new such array per part or per scan, its optimized code
 * meets a kind it was not compiled for, is thrown away ('wrong map', 'not a
 * Smi' in --trace-deopt) and compiled again on V8's helper threads. The walk
 * of 100,000 files was compiled three or four times a walk this way (20-40 ms
 * of compiling each), the library's part intake once more per scan.
 */
export function boxedArray<T>(): T[] {
  const a: unknown[] = [undefined];
  a.pop();
  return a as T[];
}
