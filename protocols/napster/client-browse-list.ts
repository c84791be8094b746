import type { NapFile } from './client-server-messages.js';
import { DATA_SENDLIST } from './constants.js';
import { splitFields, strictInt } from './messages.js';

/** Most bytes of a direct-browse list we read (5,000 share lines of ~200 bytes, with room). */
export const MAX_BROWSE_LIST_BYTES = 2 << 20;

/** A direct-browse list as read from a data connection (napster.md §6.2 "Direct browse"). */
export interface BrowseList {
  nick: string;
  files: NapFile[];
  /** Lines that were not share lines (counted, not trusted). */
  bad: number;
  /** False when the list ended without its closing empty line (cut short). */
  complete: boolean;
}

/**
 * Parses what a browsee sent after GETLIST, or after its SENDLIST when it
 * pushed the list to us: an optional `SENDLIST` word (TekNap sends
 * `SENDLIST\n<nick>\n`, the spec `SENDLIST <nick>\n`, a plain answer just
 * `<nick>\n`), the nick line, one `"<path>" <md5> <size> <bitrate> <freq>
 * <secs>` line per file, and an empty line. At most `maxFiles` files; the
 * input is bounded by the caller (MAX_BROWSE_LIST_BYTES).
 */
export function parseBrowseList(bytes: Buffer, maxFiles: number): BrowseList | undefined {
  let text = bytes.toString('latin1');
  if (text.startsWith(DATA_SENDLIST)) text = text.slice(DATA_SENDLIST.length);
  text = text.replace(/^[ \r\n]+/, '');
  const lines = text.split('\n');
  const nick = lines[0]?.replace(/\r$/, '').trim() ?? '';
  if (nick === '' || /[\s"]/.test(nick) || lines.length < 2) return undefined;
  const files: NapFile[] = [];
  let bad = 0;
  let complete = false;
  // The element after the last '\n' is '' or a line cut short: never a file.
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '') {
      complete = true;
      break;
    }
    const f = splitFields(line);
    const size = f && f.length >= 3 ? strictInt(f[2]!) : undefined;
    if (!f || size === undefined || f[0] === '') {
      bad++;
      continue;
    }
    if (files.length >= maxFiles) continue;
    const num = (s: string | undefined): number => (s === undefined ? 0 : (strictInt(s) ?? 0));
    files.push({ wirePath: f[0]!, md5: f[1]!, size, bitrate: num(f[3]), freq: num(f[4]), seconds: num(f[5]) });
  }
  return { nick, files, bad, complete };
}

/** Our answer to GETLIST (§6.2): `<nick>\n`, the share lines, `\n` (the spec's form, as in vectors 07). */
export function encodeBrowseList(nick: string, shareLines: Iterable<string>): Buffer {
  const parts = [`${nick}\n`];
  for (const l of shareLines) parts.push(`${l}\n`);
  parts.push('\n');
  return Buffer.from(parts.join(''), 'latin1');
}

/** What a firewalled browsee pushes to the requester (§6.2): `SENDLIST <nick>\n`, the share lines, `\n`. */
export function encodeSendList(nick: string, shareLines: Iterable<string>): Buffer {
  return Buffer.concat([Buffer.from(`${DATA_SENDLIST} `, 'latin1'), encodeBrowseList(nick, shareLines)]);
}
