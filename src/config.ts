import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { NetError } from './errors.js';
import { flagList, flagSet, flagString, type FlagSpecs, type FlagValues, type ProtocolFlags, type ProtocolSetup } from './flags.js';
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
  --scrollback N             (TUI) lines kept per tab (default 10000)
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

const NICK = /^[^\s:/\x00-\x1f]{1,32}$/;

export function defaultNick(): string {
  let name = process.env.USER ?? '';
  try {
    name ||= userInfo().username;
  } catch {
    // no passwd entry (containers): fall through
  }
  const clean = name.replace(/[^\w.-]/g, '').slice(0, 32);
  return clean || `anon${Math.floor(Math.random() * 10_000)}`;
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
    throw NetError.usage(err instanceof Error ? err.message : String(err));
  }
  const nick = flagString(values, 'nick') ?? defaultNick();
  if (!NICK.test(nick)) throw NetError.usage(`--nick: 1-32 characters, no spaces, ':' or '/': ${nick}`);
  const level = flagString(values, 'log-level') ?? 'info';
  if (!isLogLevel(level)) throw NetError.usage(`--log-level: ${level}`);
  const scrollbackText = flagString(values, 'scrollback');
  const scrollback = scrollbackText === undefined ? 10_000 : Number(scrollbackText);
  if (!Number.isInteger(scrollback) || scrollback < 100 || scrollback > 1_000_000) throw NetError.usage('--scrollback: 100..1000000');
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

function isLogLevel(s: string): s is Config['logLevel'] {
  return s === 'debug' || s === 'info' || s === 'warn' || s === 'error';
}
