/**
 * Counts in words, as peerdeck's lines say them (headless text, command
 * answers, the TUI): `1 file`, `2 files`, `1.5 KiB`, `320 KiB/s`, `3m05s`.
 * One rule for every place that shows them.
 */

/**
 * `1 peer`, `2 peers`, `0 files`; with a third argument the word itself is
 * chosen (`plural(n, 'is', 'are')`).
 */
export function plural(n: number, one: string, many?: string): string {
  if (many !== undefined) return n === 1 ? one : many;
  return `${n} ${n === 1 ? one : `${one}s`}`;
}

/** Binary units, named as such (IEC): a MiB is 1024 KiB, as the numbers are computed. */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 1536 -> `1.5 KiB` (binary multiples, one decimal under 10). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  return `${v < 10 ? v.toFixed(1) : Math.round(v).toString()} ${UNITS[u] ?? '?'}`;
}

/**
 * A size the user gave, read back (`/search -min 1M` -> `1.0 MiB`): as formatSize says it when
 * that is exact, else in bytes (`1500 B`, where formatSize would round to `1.5 KiB`), so a
 * readback never states another number than the one in force.
 */
export function formatSizeExact(bytes: number): string {
  const shown = formatSize(bytes);
  const m = /^(\d+(?:\.\d)?) (\w+)$/.exec(shown);
  const power = m ? UNITS.indexOf(m[2] as (typeof UNITS)[number]) : -1;
  return m && power >= 0 && Number(m[1]) * 1024 ** power === bytes ? shown : `${bytes} B`;
}

/**
 * Two sizes said side by side (`got 1.2 MiB of 4.0 MiB`), in bytes only where formatSize would
 * say two different sizes alike (`4194303 B` and `4194304 B`, not `4.0 MiB of 4.0 MiB`): there
 * the difference is the point.
 */
export function sizesApart(a: number, b: number): [string, string] {
  const x = formatSize(a);
  const y = formatSize(b);
  return x === y && a !== b ? [`${a} B`, `${b} B`] : [x, y];
}

/** A transfer rate, `64 KiB/s`. */
export function formatRate(bytesPerSec: number): string {
  return `${formatSize(bytesPerSec)}/s`;
}

/** Time something took: `250 ms` under a second, `2.1 s` under ten, `42 s`, then as formatEta (`3m05s`). */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  return formatEta(ms / 1000);
}

/** Seconds left as `42s`, `3m05s`, `2h03m`; `--` when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(s / 3600);
  if (h >= 100) return '>99h';
  return `${h}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * What a scan of the shared folders found, `sharing 12 files (194 MiB)`: the `share.ready`
 * line and the `/rescan` answer say it alike.
 */
export function sharingWords(files: number, bytes: number, folders?: number): string {
  // A node started without --share says so, and how to share (it said `sharing 0 files (0 B)`,
  // as if a shared folder were empty).
  if (folders === 0) return NOTHING_SHARED;
  return `sharing ${plural(files, 'file')} (${formatSize(bytes)})`;
}

/** What start-up, `/shares` and `/rescan` say on a node that shares no folder. */
export const NOTHING_SHARED = 'no folder is shared (start peerdeck with --share DIR)';

/**
 * The hashing that followed a scan (`share.hashed`), as the TUI's Log and headless text say it:
 * `hashed all 1234 files (1234 new) in 2.1 s`, or with how many could not be hashed.
 */
export function hashedWords(e: { files: number; hashed: number; unhashed: number; ms: number }): string {
  return e.unhashed === 0
    ? `hashed ${e.files === 1 ? 'the 1 file' : `all ${e.files} files`} (${e.hashed} new) in ${formatElapsed(e.ms)}`
    : `hashed ${e.files - e.unhashed} of ${plural(e.files, 'file')} (${e.hashed} new) in ${formatElapsed(e.ms)}; ${e.unhashed} could not be hashed, /rescan tries again`;
}

/**
 * How long something has lasted (an uptime): `5s`, `4m05s`, `3h12m`, `2d04h`. The TUI's tables
 * and headless `/peers` say it alike (the TUI said `4m` where headless said `4m05s`).
 */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/**
 * How a user links a protocol's first peer, for "reached no peer" (the TUI's Results heading, its
 * error line and headless text said `/connect host:port` for every protocol: chat's command, which
 * links no P+2, Gnutella or Napster peer).
 */
const LINK_COMMANDS: Readonly<Record<string, string>> = {
  pplus2: '/addpeer ip:p',
  gnutella: '/gconnect host:port',
  napster: '/nlogin host:port',
  chat: '/connect host:port',
};

/** `/addpeer ip:p` for pplus2, and so on; for several protocols, each one's joined with `or`. */
export function linkCommand(protocols: readonly string[]): string {
  const commands = [...new Set(protocols.map((p) => LINK_COMMANDS[p] ?? '/connect host:port'))];
  return commands.length > 0 ? commands.join(' or ') : '/connect host:port';
}

/** A remote wait in words: `queued at gtk-gnutella/1.2.3, position 3 of 12, next try in 45 s`. */
export function remoteWords(r: { note: string; retryInS: number }): string {
  return `${r.note}, next try in ${r.retryInS} s`;
}
