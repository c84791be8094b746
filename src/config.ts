import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { NetError } from './errors.js';
import { defaultDataDir } from './paths.js';
import { parseHostPort } from './net/address.js';

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
  chat: {
    enabled: boolean;
    port: number;
    host: string | undefined;
    connect: string[];
    mesh: string;
    password: string | undefined;
    discovery: boolean;
  };
  share: string[];
  downloads: string | undefined;
  pplus2: { port: number | undefined; host: string | undefined; peers: string[] };
  mouse: boolean;
  scrollback: number;
  help: boolean;
  version: boolean;
  /** Values of the flags a protocol declared (protocols/<name>/options.ts), parsed by that protocol. */
  protocolFlags: Record<string, string | boolean | string[] | undefined>;
}

/** Flag specs a protocol adds to the command line (parseArgs form). */
export type FlagSpecs = NonNullable<ParseArgsConfig['options']>;

export const USAGE = `usage: peerdeck [options]

  --headless                 no TUI: commands on stdin, events on stdout
  --json                     (headless) one JSON object per event line
  --daemon                   (headless) ignore stdin; stop only on SIGINT/SIGTERM
  --log                      (headless) also print log events
  --log-level LEVEL          debug | info | warn | error (default info)
  --nick NAME                your nick (default: your user name)
  --data-dir DIR             state: host caches, hash cache, log, downloads
                             (default $XDG_DATA_HOME/peerdeck or ~/.local/share/peerdeck)
  --chat-port PORT           chat listening port (default 6350; 0 = any free port)
  --chat-host ADDR           chat listening address (default: all interfaces)
  --connect HOST:PORT        dial a chat peer at start-up (repeatable)
  --mesh NAME                chat mesh name (default "default")
  --mesh-password-file FILE  chat mesh password, read from FILE (first line)
  --no-discovery             no LAN discovery by UDP multicast
  --no-chat                  do not run the chat protocol
  --share DIR                share this folder (repeatable)
  --downloads DIR            where downloads go (default <data-dir>/downloads)
  --pplus2-port P            run P+2 on ports P, P+1, P+2
  --pplus2-host ADDR         P+2 listening address (default: all interfaces)
  --pplus2-peer IP:P         a P+2 peer to start from (repeatable)
  --mouse                    (TUI) capture the mouse
  --scrollback N             (TUI) lines kept per tab (default 10000)
  --help, --version`;

const NICK = /^[^\s:/\x00-\x1f]{1,32}$/;
const MESH = /^[A-Za-z0-9._-]{1,64}$/;

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

function port(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) throw NetError.usage(`${flag}: not a port: ${value}`);
  return n;
}

/** Parses argv (without node and script) into a Config; throws NetError('USAGE'). */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env, protocolFlags: FlagSpecs = {}): Config {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        headless: { type: 'boolean' },
        json: { type: 'boolean' },
        daemon: { type: 'boolean' },
        log: { type: 'boolean' },
        'log-level': { type: 'string' },
        nick: { type: 'string' },
        'data-dir': { type: 'string' },
        'chat-port': { type: 'string' },
        'chat-host': { type: 'string' },
        connect: { type: 'string', multiple: true },
        mesh: { type: 'string' },
        'mesh-password-file': { type: 'string' },
        'no-discovery': { type: 'boolean' },
        'no-chat': { type: 'boolean' },
        share: { type: 'string', multiple: true },
        downloads: { type: 'string' },
        'pplus2-port': { type: 'string' },
        'pplus2-host': { type: 'string' },
        'pplus2-peer': { type: 'string', multiple: true },
        mouse: { type: 'boolean' },
        scrollback: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        ...protocolFlags,
      },
    });
  } catch (err) {
    throw NetError.usage(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  const nick = v.nick ?? defaultNick();
  if (!NICK.test(nick)) throw NetError.usage(`--nick: 1-32 characters, no spaces, ':' or '/': ${nick}`);
  const mesh = v.mesh ?? 'default';
  if (!MESH.test(mesh)) throw NetError.usage(`--mesh: 1-64 of A-Z a-z 0-9 . _ -: ${mesh}`);
  const level = v['log-level'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw NetError.usage(`--log-level: ${level}`);
  for (const a of [...(v.connect ?? []), ...(v['pplus2-peer'] ?? [])]) {
    if (!parseHostPort(a)) throw NetError.usage(`not a host:port: ${a}`);
  }
  let password: string | undefined;
  if (v['mesh-password-file']) {
    try {
      password = readFileSync(v['mesh-password-file'], 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (err) {
      throw NetError.usage(`--mesh-password-file: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!password) throw NetError.usage('--mesh-password-file: the first line is empty');
  }
  const scrollback = v.scrollback === undefined ? 10_000 : Number(v.scrollback);
  if (!Number.isInteger(scrollback) || scrollback < 100 || scrollback > 1_000_000) throw NetError.usage('--scrollback: 100..1000000');
  const pplus2Port = v['pplus2-port'] === undefined ? undefined : port(v['pplus2-port'], '--pplus2-port', 0);
  if (pplus2Port !== undefined && pplus2Port > 65533) throw NetError.usage('--pplus2-port: P+2 needs P, P+1 and P+2 below 65536');
  return {
    headless: v.headless ?? false,
    json: v.json ?? false,
    daemon: v.daemon ?? false,
    logEvents: v.log ?? false,
    logLevel: level as Config['logLevel'],
    nick,
    dataDir: v['data-dir'] ?? defaultDataDir(env),
    chat: {
      enabled: !v['no-chat'],
      port: port(v['chat-port'], '--chat-port', 6350),
      host: v['chat-host'],
      connect: v.connect ?? [],
      mesh,
      password,
      discovery: !v['no-discovery'],
    },
    share: v.share ?? [],
    downloads: v.downloads,
    pplus2: { port: pplus2Port, host: v['pplus2-host'], peers: v['pplus2-peer'] ?? [] },
    mouse: v.mouse ?? false,
    scrollback,
    help: v.help ?? false,
    version: v.version ?? false,
    protocolFlags: Object.fromEntries(Object.keys(protocolFlags).map((k) => [k, (v as Record<string, string | boolean | string[] | undefined>)[k]])),
  };
}
