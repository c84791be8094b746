/**
 * How every benchmark measures and reports a figure (issue 9, "Benchmarks
 * first"): the product's path and its reference run in the same process, in
 * alternating rounds (ours, reference, ours, ...) so a change of load on the
 * shared machine hits both; each figure is the median of at least 3 rounds
 * with its min and max; the ratio compares the two medians.
 *
 * Output: readable `name: value` lines, plus one `bench.row: {json}` line per
 * figure that `bench/run.ts` collects into the final table.
 */

/** Fewest rounds a figure may have (the brief: median of 3+ rounds). */
export const MIN_ROUNDS = 3;
/** Rounds when a bench does not say (`BENCH_ROUNDS` overrides, never below MIN_ROUNDS). */
export const DEFAULT_ROUNDS = Math.max(MIN_ROUNDS, Number(process.env.BENCH_ROUNDS ?? MIN_ROUNDS) || MIN_ROUNDS);
/** The prefix of the machine-readable line run.ts looks for. */
export const ROW_PREFIX = 'bench.row: ';

/** Median, min and max of one contender's rounds, in the figure's unit. */
export interface Stats {
  median: number;
  min: number;
  max: number;
  rounds: number[];
}

/**
 * Whether a bigger value is better: a rate (`MB/s`, `lines/s`) or a
 * duration (`ms`). The ratio is always "how fast we are next to the
 * reference", so > 1 means faster than it, whatever the unit.
 */
export type Better = 'higher' | 'lower';

/** One figure as a bench measured it; `reference` is absent for absolute targets. */
export interface Figure {
  /** Short key, e.g. `chat.relay`; printed as `chat.relay: 123 lines/s ...`. */
  name: string;
  /** What the table calls it, e.g. `chat relay, one node between two links`. */
  title: string;
  unit: string;
  better: Better;
  ours: Stats;
  reference?: { label: string; stats: Stats };
  /** The target as text (`>= 0.4 x`, `< 1500 ms`) and whether this run met it. */
  target?: { text: string; met: boolean };
}

/** A row of the final table (what `bench.row:` carries). */
export interface Row {
  figure: string;
  ours: string;
  reference: string;
  ratio: string;
  target: string;
}

/** Median (mean of the middle two for an even count), min and max. */
export function stats(values: readonly number[]): Stats {
  if (values.length === 0) throw new Error('stats of no rounds');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, rounds: [...values] };
}

/** Ours next to the reference, as "how many times as fast" (> 1: faster than the reference). */
export function ratio(ours: Stats, reference: Stats, better: Better): number {
  return better === 'higher' ? ours.median / reference.median : reference.median / ours.median;
}

/** One round of a contender: resolves with the value measured (a rate or a duration). */
export type Round = () => Promise<number>;

/**
 * Runs `rounds` rounds of every contender in turn (the first, the second, ...,
 * the first again) and returns each one's stats, in the order given: a
 * before/after of two builds beside a reference sees the same load changes.
 */
export async function alternate(contenders: readonly Round[], rounds = DEFAULT_ROUNDS): Promise<Stats[]> {
  const n = Math.max(MIN_ROUNDS, rounds);
  const values: number[][] = contenders.map(() => []);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < contenders.length; i++) values[i]!.push(await contenders[i]!());
  }
  return values.map(stats);
}

/**
 * Runs `rounds` rounds of ours and the reference alternately (ours first) and
 * returns both sets of stats. A reference of `undefined` runs ours alone.
 */
export async function compare(ours: Round, reference: Round | undefined, rounds = DEFAULT_ROUNDS): Promise<{ ours: Stats; reference?: Stats }> {
  const [a, b] = await alternate(reference ? [ours, reference] : [ours], rounds);
  return b ? { ours: a!, reference: b } : { ours: a! };
}

/** Runs one contender `rounds` times. */
export async function measure(round: Round, rounds = DEFAULT_ROUNDS): Promise<Stats> {
  return (await compare(round, undefined, rounds)).ours;
}

/** Elapsed milliseconds of `fn`. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** A number for people: 3 significant digits below 100, thousands separators above. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 100) return Math.round(n).toLocaleString('en-US');
  if (abs >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** `123 MB/s (min 120, max 130, 3 rounds)`. */
export function fmtStats(s: Stats, unit: string): string {
  return `${fmt(s.median)} ${unit} (min ${fmt(s.min)}, max ${fmt(s.max)}, ${s.rounds.length} rounds)`;
}

/** The table row for a figure. */
export function row(f: Figure): Row {
  const r = f.reference ? ratio(f.ours, f.reference.stats, f.better) : undefined;
  return {
    figure: f.title,
    ours: `${fmt(f.ours.median)} ${f.unit} (${fmt(f.ours.min)}-${fmt(f.ours.max)})`,
    reference: f.reference ? `${f.reference.label}: ${fmt(f.reference.stats.median)} ${f.unit} (${fmt(f.reference.stats.min)}-${fmt(f.reference.stats.max)})` : '',
    ratio: r === undefined ? '' : r.toFixed(2),
    target: f.target ? `${f.target.text} ${f.target.met ? '(met)' : '(NOT met)'}` : '',
  };
}

/**
 * Prints a figure: `name: median unit (min, max, rounds)`, the reference the
 * same way, `name.ratio: r`, the target, and the `bench.row:` line.
 */
export function report(f: Figure): void {
  const lines = [`${f.name}: ${fmtStats(f.ours, f.unit)}`];
  if (f.reference) {
    lines.push(`${f.name}.reference: ${fmtStats(f.reference.stats, f.unit)} [${f.reference.label}]`);
    lines.push(`${f.name}.ratio: ${ratio(f.ours, f.reference.stats, f.better).toFixed(2)}`);
  }
  if (f.target) lines.push(`${f.name}.target: ${f.target.text} ${f.target.met ? 'met' : 'NOT met'}`);
  lines.push(ROW_PREFIX + JSON.stringify(row(f)));
  process.stdout.write(lines.join('\n') + '\n');
}

/**
 * A figure that cannot be measured here (a missing tool): says why, and
 * still gives the table a row so the gap is visible.
 */
export function skip(name: string, title: string, reason: string): void {
  process.stdout.write(`${name}: skipped (${reason})\n`);
  process.stdout.write(ROW_PREFIX + JSON.stringify({ figure: title, ours: `skipped: ${reason}`, reference: '', ratio: '', target: '' } satisfies Row) + '\n');
}

/** Target helper: the ratio to the reference must reach `min` (e.g. 0.4). */
export function ratioTarget(min: number, ours: Stats, reference: Stats, better: Better): { text: string; met: boolean } {
  return { text: `>= ${min} x`, met: ratio(ours, reference, better) >= min };
}

/** Target helper: the median must stay below `max` (durations, latencies). */
export function belowTarget(max: number, unit: string, ours: Stats): { text: string; met: boolean } {
  return { text: `< ${fmt(max)} ${unit}`, met: ours.median < max };
}
