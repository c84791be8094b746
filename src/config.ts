import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { NetError } from './errors.js';
import { flagList, flagSet, flagString, type FlagSpecs, type FlagValues, type ProtocolFlags, type ProtocolSetup } from './flags.js';
import { nickProblem, toGoodNick } from './nick.js';
import { defaultDataDir } from './paths.js';

/** Everything the command line can set, validated. */
export interface Config {
  headless: boolean;
  json: boolean;
  daemon: boolean;
  /** Emit `log` events on stdout in headless mode. */
  logEvents: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  nick: string;
  dataDir: string;
  share: string[];
  downloads: string | undefined;
  mouse: boolean;
  scrollback: number;
  help: boolean;
  version: boolean;
  /** What each protocol's flags asked for, in the order the protocols were given. */
  protocols: Array<{ name: string; setup: ProtocolSetup }>;
}

const USAGE_HEAD = `usage: peerdeck [options]

  --headless                 no TUI: commands on stdin, events on stdout
  --json                     (headless) one JSON object per event line
  --daemon                   (headless) ignore stdin; stop only on SIGINT/SIGTERM
  --log                      (headless) also print log events
  --log-level LEVEL          debug | info | warn | error (default info)
  --nick NAME                your nick (default: your user name)
  --data-dir DIR             state: host caches, hash cache, log, downloads
                             (default $XDG_DATA_HOME/peerdeck or ~/.local/share/peerdeck)
  --share DIR                share this folder (repeatable)
  --downloads DIR            where downloads go (default <data-dir>/downloads)`;

const USAGE_TAIL = `  --mouse                    (TUI) capture the mouse
  --scrollback N             (TUI) lines kept per window (default 10000)
  --help, --version`;

/** `--help`: the core's flags, then each protocol's (in the order given), then the TUI's. */
export function usage(protocols: readonly ProtocolFlags[] = []): string {
  return [USAGE_HEAD, ...protocols.map((p) => p.usage.replace(/^\n+|\n+$/g, '')), USAGE_TAIL].join('\n');
}

const CORE_OPTIONS = {
  headless: { type: 'boolean' },
  json: { type: 'boolean' },
  daemon: { type: 'boolean' },
  log: { type: 'boolean' },
  'log-level': { type: 'string' },
  nick: { type: 'string' },
  'data-dir': { type: 'string' },
  share: { type: 'string', multiple: true },
  downloads: { type: 'string' },
  mouse: { type: 'boolean' },
  scrollback: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies FlagSpecs;

export function defaultNick(): string {
  let name = process.env.USER ?? '';
  try {
    name ||= userInfo().username;
  } catch {
    // no passwd entry (containers): fall through
  }
  return toGoodNick(name, `anon${Math.floor(Math.random() * 10_000)}`);
}

/** The core's options plus every protocol's; a name declared twice is a programmer error. */
function allOptions(protocols: readonly ProtocolFlags[]): FlagSpecs {
  const options: FlagSpecs = { ...CORE_OPTIONS };
  for (const p of protocols) {
    for (const [name, spec] of Object.entries(p.options)) {
      if (name in options) throw new Error(`flag --${name} of ${p.name} is declared twice`);
      options[name] = spec;
    }
  }
  return options;
}

/**
 * Parses argv (without node and script) into a Config, with each protocol's
 * flags read back by that protocol; throws NetError('USAGE').
 */
export function parseConfig(argv: string[], protocols: readonly ProtocolFlags[] = [], env: NodeJS.ProcessEnv = process.env): Config {
  let values: FlagValues;
  try {
    const raw = parseArgs({ args: argv, strict: true, allowPositionals: false, options: allOptions(protocols) }).values;
    // A repeatable boolean (none is declared today) would give booleans in a list: keep FlagValues' shape.
    values = Object.fromEntries(Object.entries(raw).map(([k, x]) => [k, Array.isArray(x) ? x.map(String) : x]));
  } catch (err) {
    throw NetError.usage(describeParseError(err, argv, protocols));
  }
  const nick = flagString(values, 'nick') ?? defaultNick();
  const bad = nickProblem(nick);
  if (bad !== undefined) throw NetError.usage(`--nick: ${bad}: ${JSON.stringify(nick)} (README "Nicks")`);
  const level = flagString(values, 'log-level') ?? 'info';
  if (!isLogLevel(level)) throw NetError.usage(`--log-level: debug, info, warn or error, not ${level}`);
  const scrollbackText = flagString(values, 'scrollback');
  const scrollback = scrollbackText === undefined ? 10_000 : Number(scrollbackText);
  if (!Number.isInteger(scrollback) || scrollback < 100 || scrollback > 1_000_000) throw NetError.usage(`--scrollback: a number of lines from 100 to 1000000, not ${scrollbackText ?? ''}`);
  return {
    headless: flagSet(values, 'headless'),
    json: flagSet(values, 'json'),
    daemon: flagSet(values, 'daemon'),
    logEvents: flagSet(values, 'log'),
    logLevel: level,
    nick,
    dataDir: flagString(values, 'data-dir') ?? defaultDataDir(env),
    share: flagList(values, 'share'),
    downloads: flagString(values, 'downloads'),
    mouse: flagSet(values, 'mouse'),
    scrollback,
    help: flagSet(values, 'help'),
    version: flagSet(values, 'version'),
    protocols: protocols.map((p) => ({
      name: p.name,
      setup: p.parse(Object.fromEntries(Object.keys(p.options).map((k) => [k, values[k]]))),
    })),
  };
}

/**
 * One line saying what is wrong with the command line, from parseArgs' error:
 * which flag, what is wrong, what it expects (the flag's line of `--help`
 * names its value). parseArgs' own words are kept for anything else.
 */
function describeParseError(err: unknown, argv: readonly string[], protocols: readonly ProtocolFlags[]): string {
  const text = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown }).code;
  const flag = /'(-{1,2}[^' <]*)/.exec(text)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) {
    const near = nearestFlag(flag, Object.keys(allOptions(protocols)));
    return `unknown flag ${flag}${near ? ` (did you mean --${near}?)` : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
    if (/does not take an argument/.test(text)) return `${flag} takes no value`;
    const line = usage(protocols)
      .split('\n')
      .find((l) => l.trimStart().startsWith(`${flag} `));
    const arg = line ? /^\s*\S+ (\S+)/.exec(line)?.[1] : undefined;
    const needs = `${flag} needs a value${arg && !arg.startsWith('(') ? ` (${flag} ${arg})` : ''}`;
    // parseArgs takes no value that starts with '-' after a space: say how to write one (not a flag of ours).
    const next = argv[argv.indexOf(flag) + 1];
    const nextIsFlag = next !== undefined && next.replace(/^-+/, '').split('=')[0]! in allOptions(protocols);
    return next !== undefined && next.startsWith('-') && !nextIsFlag ? `${needs}; a value that starts with '-' is written ${flag}=${next}` : needs;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const arg = /'([^']*)'/.exec(text)?.[1] ?? '';
    const i = argv.lastIndexOf(arg);
    const after = i > 0 ? ` after ${argv[i - 1]}` : '';
    return `unexpected argument '${arg}'${after}: each value follows its flag, and one with spaces needs quotes`;
  }
  return text;
}

/** Longer than any flag name: not worth a "did you mean". */
const MAX_FLAG_NAME = 40;

/** The flag name closest to `given` (one or two edits away), for "did you mean". */
function nearestFlag(given: string, names: readonly string[]): string | undefined {
  const want = given.replace(/^-+/, '');
  if (want.length > MAX_FLAG_NAME) return undefined; // no flag is that long: no quadratic work on a pasted blob
  let best: string | undefined;
  let bestDistance = want.length < 5 ? 2 : 3;
  for (const name of names) {
    const d = editDistance(want, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/** Levenshtein distance (flag names are short). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

function isLogLevel(s: string): s is Config['logLevel'] {
  return s === 'debug' || s === 'info' || s === 'warn' || s === 'error';
}
