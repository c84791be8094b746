/**
 * Gnutella flags (`--gnutella*`), composed into peerdeck's command line by
 * src/main.ts through src/config.ts (README "Gnutella"). `parseGnutellaFlags`
 * is pure.
 */
import { NetError } from '../../src/errors.js';
import { flagHost, type FlagValues, type ProtocolFlags } from '../../src/flags.js';
import { hostProblem, parseHostPort } from '../../src/net/address.js';
import { DEFAULT_PORT } from './constants.js';
import { ULTRAPEER_DEFAULTS, type GnutellaMode } from './role-policy.js';
import { isWebCache } from './gwebcache.js';

/** parseArgs option specs for the Gnutella flags. */
export const GNUTELLA_FLAGS = {
  gnutella: { type: 'boolean' },
  'gnutella-port': { type: 'string' },
  'gnutella-host': { type: 'string' },
  'gnutella-peer': { type: 'string', multiple: true },
  'gnutella-mode': { type: 'string' },
  'gnutella-links': { type: 'string' },
  'gnutella-bootstrap': { type: 'string', multiple: true },
  'gnutella-no-deflate': { type: 'boolean' },
  'gnutella-firewalled': { type: 'boolean' },
  'gnutella-max-leaves': { type: 'string' },
  'gnutella-up-links': { type: 'string' },
  'gnutella-promote-after': { type: 'string' },
  'gnutella-hostiles': { type: 'string' },
  'gnutella-spam-sha1': { type: 'string' },
} as const;

export const GNUTELLA_USAGE = `  --gnutella                 join the Gnutella network (a leaf at first: see --gnutella-mode)
  --gnutella-port P          Gnutella TCP port, also HTTP uploads (default 6346; 0 = any free port)
  --gnutella-host ADDR       listening address (default: all interfaces)
  --gnutella-peer HOST:PORT  a Gnutella servent to connect to (repeatable)
  --gnutella-mode MODE       auto (default: a leaf that becomes an ultrapeer when reachable,
                                 up long enough and with room for links), leaf or ultrapeer
  --gnutella-links N         ultrapeer links a leaf keeps (default 3)
  --gnutella-max-leaves N    leaves an ultrapeer takes (default 100)
  --gnutella-up-links N      ultrapeer links an ultrapeer keeps (default 32)
  --gnutella-promote-after S seconds of uptime before auto mode may promote (default 3600)
  --gnutella-bootstrap HOST:PORT|URL  a UDP host cache (HOST:PORT) or GWebCache (http://...) to ask
                                 when no known host is left (repeatable)
  --gnutella-no-deflate      neither offer nor use compressed links
  --gnutella-firewalled      act as firewalled whatever connects in: hits ask for a push (tests)
  --gnutella-hostiles FILE   hostile addresses, one IPv4, a.b.c.d/bits or a.b.c.d - e.f.g.h a line
                                 (# comments, like gtk-gnutella's hostiles.txt): refused, never
                                 dialled or pushed to, their hits dropped (/ghostiles reload)
  --gnutella-spam-sha1 FILE  spam SHA-1s, one a line (urn:sha1:..., base32 or hex): hits naming
                                 one are dropped, neither shown nor routed (/ghostiles reload)`;

/** What the plugin needs from the command line. */
export interface GnutellaOptions {
  port: number;
  host: string | undefined;
  peers: string[];
  mode: GnutellaMode;
  links: number;
  /** Leaves we take as an ultrapeer (`--gnutella-max-leaves`, default 100). */
  maxLeaves?: number;
  /** Ultrapeer links we keep as an ultrapeer (`--gnutella-up-links`, X-Degree, default 32). */
  upLinks?: number;
  /** Uptime before auto mode may promote (spec 3.1, default 1 h). */
  promoteAfterMs?: number;
  bootstrap: string[];
  deflate: boolean;
  /** `--gnutella-firewalled`: firewalled whatever comes in (spec 4.1; for tests). */
  firewalled?: boolean;
  /** `--gnutella-hostiles FILE` (hostiles.ts). */
  hostiles?: string;
  /** `--gnutella-spam-sha1 FILE` (spam-sha1s.ts). */
  spamSha1?: string;
}

/** The options when `--gnutella` is given, else undefined; throws USAGE on bad values. */
export function parseGnutellaFlags(v: FlagValues): GnutellaOptions | undefined {
  if (!v.gnutella) {
    const stray = Object.keys(GNUTELLA_FLAGS).find((k) => k !== 'gnutella' && v[k] !== undefined);
    if (stray !== undefined) throw NetError.usage(`--${stray} needs --gnutella`);
    return undefined;
  }
  const portText = typeof v['gnutella-port'] === 'string' ? v['gnutella-port'] : undefined;
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (portText !== undefined && (!/^\d{1,5}$/.test(portText) || port > 65_535)) throw NetError.usage(`--gnutella-port: not a port: ${portText}`);
  const mode = typeof v['gnutella-mode'] === 'string' ? v['gnutella-mode'] : 'auto';
  if (mode !== 'leaf' && mode !== 'ultrapeer' && mode !== 'auto') throw NetError.usage(`--gnutella-mode: auto, leaf or ultrapeer, not ${mode}`);
  const int = (k: string, dflt: number, min: number, max: number): number => {
    const text = typeof v[k] === 'string' ? (v[k] as string) : String(dflt);
    const n = Number(text);
    if (!/^\d{1,7}$/.test(text) || n < min || n > max) throw NetError.usage(`--${k}: a number from ${min} to ${max}, not ${text}`);
    return n;
  };
  const linksText = typeof v['gnutella-links'] === 'string' ? v['gnutella-links'] : '3';
  const links = Number(linksText);
  if (!/^\d{1,2}$/.test(linksText) || links < 1 || links > 10) throw NetError.usage(`--gnutella-links: a number from 1 to 10, not ${linksText}`);
  const list = (k: string): string[] => (Array.isArray(v[k]) ? (v[k] as string[]) : []);
  for (const a of list('gnutella-peer')) {
    if (!parseHostPort(a)) throw NetError.usage(`--gnutella-peer: not a host:port (an IP address or host name, port 1-65535): ${a}`);
  }
  for (const a of list('gnutella-bootstrap')) {
    if (isWebCache(a) ? !URL.canParse(a) : !parseHostPort(a)) throw NetError.usage(`--gnutella-bootstrap: not a host:port or http:// URL: ${a}`);
    const host = isWebCache(a) ? new URL(a).hostname.replace(/^\[|\]$/g, '') : undefined;
    const problem = host === undefined ? undefined : hostProblem(host);
    if (problem !== undefined) throw NetError.usage(`--gnutella-bootstrap: ${a}: ${host} is ${problem}`);
  }
  return {
    port,
    host: flagHost(v, 'gnutella-host'),
    peers: list('gnutella-peer'),
    mode,
    links,
    maxLeaves: int('gnutella-max-leaves', ULTRAPEER_DEFAULTS.maxLeaves, 0, 2_000),
    upLinks: int('gnutella-up-links', ULTRAPEER_DEFAULTS.upLinks, 1, 100),
    promoteAfterMs: int('gnutella-promote-after', ULTRAPEER_DEFAULTS.promoteAfterMs / 1000, 0, 7 * 86_400) * 1000,
    bootstrap: list('gnutella-bootstrap'),
    deflate: v['gnutella-no-deflate'] !== true,
    ...(v['gnutella-firewalled'] === true ? { firewalled: true } : {}),
    ...(typeof v['gnutella-hostiles'] === 'string' ? { hostiles: v['gnutella-hostiles'] } : {}),
    ...(typeof v['gnutella-spam-sha1'] === 'string' ? { spamSha1: v['gnutella-spam-sha1'] } : {}),
  };
}

/** `--gnutella` and its `--gnutella-*` flags. */
export const gnutellaFlags: ProtocolFlags = {
  name: 'gnutella',
  options: GNUTELLA_FLAGS,
  usage: GNUTELLA_USAGE,
  parse(values) {
    const opts = parseGnutellaFlags(values);
    return {
      // The servent's code loads only with --gnutella.
      plugins: async () => (opts ? [(await import('./index.js')).createGnutellaPlugin(opts)] : []),
    };
  },
};
