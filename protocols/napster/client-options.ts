/**
 * Napster client flags (`--napster`, `--napster-password-file`,
 * `--napster-data-port`, `--napster-nick`, `--napster-speed`; README
 * "Napster client"). Composed into the command line by main.ts; pure apart
 * from reading the password file.
 */
import { readFileSync } from 'node:fs';
import { NetError } from '../../src/errors.js';
import { flagHost } from '../../src/flags.js';
import { parseHostPort } from '../../src/net/address.js';
import { MAX_LINK_SPEED } from './constants.js';
import { checkNick } from './client-login.js';
import type { NapsterClientOptions } from './client-service.js';

/** parseArgs option specs for the client flags. */
export const NAPSTER_CLIENT_FLAGS = {
  napster: { type: 'string', multiple: true },
  'napster-password-file': { type: 'string' },
  'napster-data-port': { type: 'string' },
  'napster-data-host': { type: 'string' },
  'napster-nick': { type: 'string' },
  'napster-speed': { type: 'string' },
  'napster-no-direct-browse': { type: 'boolean' },
} as const;

export const NAPSTER_CLIENT_USAGE = `
  --napster HOST:PORT        log in to a Napster (OpenNap) server (repeatable)
  --napster-password-file F  the Napster password (first line); without it the
                             TUI asks once (hidden); headless mode needs it
  --napster-data-port P      our data port for downloads from us (0 = any free
                             port); without it we are firewalled (push only)
  --napster-data-host ADDR   the data port's listening address (default: all)
  --napster-nick NAME        nick on Napster servers (default: --nick)
  --napster-speed N          link speed 0-10 we report (default 0, unknown)
  --napster-no-direct-browse refuse direct browses (640) of our share list`;

type FlagValues = Record<string, string | boolean | string[] | undefined>;

const str = (v: FlagValues, k: string): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);

/**
 * The client's settings from the flags, or undefined when no client flag was
 * given (the client then does not run). Throws USAGE with the reason.
 */
export function parseNapsterClientFlags(v: FlagValues, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): Omit<NapsterClientOptions, never> | undefined {
  const given = Object.keys(NAPSTER_CLIENT_FLAGS).some((k) => v[k] !== undefined);
  if (!given) return undefined;
  const servers = Array.isArray(v.napster) ? v.napster : [];
  for (const s of servers) if (!parseHostPort(s)) throw NetError.usage(`--napster: not a host:port (an IP address or host name, port 1-65535): ${s}`);
  const opts: NapsterClientOptions = { servers };
  const pwFile = str(v, 'napster-password-file');
  if (pwFile !== undefined) {
    let pw: string;
    try {
      pw = read(pwFile).split(/\r?\n/)[0] ?? '';
    } catch (err) {
      throw NetError.usage(`--napster-password-file: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!pw || /[\s"]/.test(pw)) throw NetError.usage('--napster-password-file: the first line must be one word (no spaces or quotes)');
    opts.password = pw;
  }
  const port = str(v, 'napster-data-port');
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw NetError.usage(`--napster-data-port: not a port: ${port}`);
    opts.dataPort = Number(port);
  }
  const host = flagHost(v, 'napster-data-host');
  if (host !== undefined) opts.dataHost = host;
  const nick = str(v, 'napster-nick');
  if (nick !== undefined) {
    const bad = checkNick(nick);
    if (bad) throw NetError.usage(`--napster-nick: ${bad}`);
    opts.nick = nick;
  }
  if (v['napster-no-direct-browse'] === true) opts.directBrowse = false;
  const speed = str(v, 'napster-speed');
  if (speed !== undefined) {
    const n = Number(speed);
    if (!/^\d{1,2}$/.test(speed) || n > MAX_LINK_SPEED) throw NetError.usage(`--napster-speed: a number from 0 to ${MAX_LINK_SPEED}, not ${speed}`);
    opts.speed = n;
  }
  return opts;
}
