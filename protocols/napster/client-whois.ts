import { plural } from '../../src/words.js';
import { splitFields, strictInt } from './messages.js';

/** `16s`, `2m05s`, `1h02m`: how long a user has been online. */
export function onlineFor(secs: number): string {
  if (secs < 60) return `${secs}s`;
  if (secs < 3600) return `${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, '0')}s`;
  return `${Math.floor(secs / 3600)}h${String(Math.floor((secs % 3600) / 60)).padStart(2, '0')}m`;
}

/** The link-speed codes of napster.md §3.1, as the table names them. */
export const LINK_NAMES = ['unknown', '14.4', '28.8', '33.6', '56.7', '64K ISDN', '128K ISDN', 'cable', 'DSL', 'T1', 'T3+'];

/**
 * A whois answer (§4.1 603) in words, for the Napster tab and headless text:
 * 604 `<nick> "<Level>" <online-secs> "<channels>" "<Active>" <shared>
 * <downloads> <uploads> <speed> "<client>"` becomes `alice: User, online
 * 2m05s, in #napdev, sharing 6 files, 0 downloads, 0 uploads, link speed 7
 * (cable), client nap v1.5.4`; 605 `<nick> "<Level>" <last-seen>` becomes
 * `napadmin: Elite, offline, last seen <UTC time>` (0: never). An answer that
 * does not have these fields is shown as it came. `text` is the payload
 * already read from the wire (UTF-8).
 */
export function describeWhois(text: string, online: boolean): string {
  const f = splitFields(text);
  const raw = online ? text : `(offline) ${text}`;
  if (!f) return raw;
  if (!online) {
    const seen = f.length === 3 ? strictInt(f[2]!) : undefined;
    if (seen === undefined) return raw;
    const when = seen === 0 ? 'never seen online' : `last seen ${new Date(seen * 1000).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
    return `${f[0]}: ${f[1]}, offline, ${when}`;
  }
  if (f.length < 10) return raw;
  const [nick, level, secs, channels, status, shared, downs, ups, speed, client] = f as [string, string, string, string, string, string, string, string, string, string];
  const n = [secs, shared, downs, ups, speed].map(strictInt);
  if (n.some((x) => x === undefined)) return raw;
  const [onlineSecs, files, downloads, uploads, code] = n as number[];
  const chans = channels.trim();
  return [
    `${nick}: ${level}`,
    `online ${onlineFor(onlineSecs!)}`,
    ...(chans ? [`in ${chans.split(/ +/).join(', ')}`] : []),
    ...(status.toLowerCase() === 'active' ? [] : [status]),
    `sharing ${plural(files!, 'file')}`,
    plural(downloads!, 'download'),
    plural(uploads!, 'upload'),
    `link speed ${code}${LINK_NAMES[code!] ? ` (${LINK_NAMES[code!]})` : ''}`,
    `client ${client}`,
  ].join(', ');
}
