/**
 * Napster flags (`--napster-*`, `--registered-only`) and the server's
 * settings with their defaults (specs/napster.md §3.2, §8; README "Napster
 * server"). The flag specs are composed into the command line by main.ts;
 * `parseNapsterFlags` is pure.
 */
import { NetError } from '../../src/errors.js';
import { flagHost } from '../../src/flags.js';
import * as C from './constants.js';
import { CLUSTER_FLAGS, CLUSTER_USAGE, parseClusterFlags, type ClusterOptions } from './server/cluster/cluster-options.js';

/** parseArgs option specs for the Napster flags. */
export const NAPSTER_FLAGS = {
  'napster-server': { type: 'boolean' },
  'napster-port': { type: 'string' },
  'napster-host': { type: 'string' },
  'napster-server-name': { type: 'string' },
  'napster-motd': { type: 'string' },
  'napster-admin-file': { type: 'string' },
  'registered-only': { type: 'boolean' },
  'napster-no-auto-register': { type: 'boolean' },
  'napster-max-connections': { type: 'string' },
  'napster-max-clones': { type: 'string' },
  'napster-flood': { type: 'string' },
  ...CLUSTER_FLAGS,
} as const;

export const NAPSTER_USAGE = `
  --napster-server           run an OpenNap-compatible Napster server
  --napster-port PORT        its port (default 8888; 0 = any free port)
  --napster-host ADDR        its listening address (default: all interfaces)
  --napster-server-name NAME the name it gives itself (default: the host name)
  --napster-motd FILE        message-of-the-day lines sent at login
  --napster-admin-file FILE  first line "nick password": an Elite account
  --registered-only          refuse nicks that are not registered
  --napster-no-auto-register new nicks log in unregistered (default: a login
                             registers its nick with that password)
  --napster-max-connections N  client connections at once (default 1024)
  --napster-max-clones N     connections per IP (default 32; 0 = unlimited)
  --napster-flood N/SECS     commands per user per window before a disconnect
                             (default 200/10; 0 = off)${CLUSTER_USAGE}`;

/** Server settings as given (files not read yet); every field has a default. */
export interface NapsterServerOptions {
  port: number;
  host: string | undefined;
  name: string | undefined;
  motdFile: string | undefined;
  adminFile: string | undefined;
  registeredOnly: boolean;
  autoRegister: boolean;
  maxConnections: number;
  maxClones: number;
  floodCommands: number;
  floodWindowMs: number;
  loginTimeoutMs: number;
  statsIntervalMs: number;
  maxShares: number;
  /** Join a cluster of servers over NATS (issue 15); undefined = stand alone. */
  cluster?: ClusterOptions;
}

export const DEFAULT_SERVER_OPTIONS: NapsterServerOptions = {
  port: C.DEFAULT_SERVER_PORT,
  host: undefined,
  name: undefined,
  motdFile: undefined,
  adminFile: undefined,
  registeredOnly: false,
  autoRegister: true,
  maxConnections: C.DEFAULT_MAX_CONNECTIONS,
  maxClones: C.DEFAULT_MAX_CLONES,
  floodCommands: C.DEFAULT_FLOOD_COMMANDS,
  floodWindowMs: C.DEFAULT_FLOOD_WINDOW_MS,
  loginTimeoutMs: C.LOGIN_TIMEOUT_MS,
  statsIntervalMs: C.STATS_INTERVAL_MS,
  maxShares: C.MAX_SHARES,
};

type FlagValues = Record<string, string | boolean | string[] | undefined>;

function str(v: FlagValues, k: string): string | undefined {
  const x = v[k];
  return typeof x === 'string' ? x : undefined;
}

function count(v: FlagValues, k: string, fallback: number, max: number): number {
  const s = str(v, k);
  if (s === undefined) return fallback;
  if (!/^\d{1,9}$/.test(s) || Number(s) > max) throw NetError.usage(`--${k}: a number 0..${max}: ${s}`);
  return Number(s);
}

/** The server's options from parsed flags, or undefined without `--napster-server`. Throws NetError USAGE. */
export function parseNapsterFlags(v: FlagValues): NapsterServerOptions | undefined {
  if (v['napster-server'] !== true) {
    const stray = Object.keys(NAPSTER_FLAGS).find((k) => k !== 'napster-server' && v[k] !== undefined);
    if (stray) throw NetError.usage(`--${stray} needs --napster-server`);
    return undefined;
  }
  const port = count(v, 'napster-port', C.DEFAULT_SERVER_PORT, 65535);
  const name = str(v, 'napster-server-name');
  if (name !== undefined && !/^[\x21-\x7e]{1,64}$/.test(name)) throw NetError.usage('--napster-server-name: 1-64 printable characters, no spaces');
  let floodCommands = DEFAULT_SERVER_OPTIONS.floodCommands;
  let floodWindowMs = DEFAULT_SERVER_OPTIONS.floodWindowMs;
  const flood = str(v, 'napster-flood');
  if (flood !== undefined) {
    const m = /^(\d{1,7})(?:\/(\d{1,5}))?$/.exec(flood);
    if (!m) throw NetError.usage(`--napster-flood: N or N/SECONDS: ${flood}`);
    floodCommands = Number(m[1]);
    if (m[2] !== undefined) floodWindowMs = Math.max(1, Number(m[2])) * 1000;
  }
  return {
    ...DEFAULT_SERVER_OPTIONS,
    port,
    host: flagHost(v, 'napster-host'),
    name,
    motdFile: str(v, 'napster-motd'),
    adminFile: str(v, 'napster-admin-file'),
    registeredOnly: v['registered-only'] === true,
    autoRegister: v['napster-no-auto-register'] !== true,
    maxConnections: count(v, 'napster-max-connections', C.DEFAULT_MAX_CONNECTIONS, 1_000_000),
    maxClones: count(v, 'napster-max-clones', C.DEFAULT_MAX_CLONES, 1_000_000),
    floodCommands,
    floodWindowMs,
    cluster: parseClusterFlags(v),
  };
}

/** `nick password` from the first line of an admin file; throws NetError USAGE. */
export function parseAdminLine(text: string): { nick: string; password: string } {
  const line = (text.split(/\r?\n/)[0] ?? '').trim();
  const m = /^(\S+)\s+(\S+)$/.exec(line);
  if (!m) throw NetError.usage('napster admin file: the first line must be "nick password"');
  return { nick: m[1]!, password: m[2]! };
}
