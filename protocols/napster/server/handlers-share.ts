/**
 * Sharing, searching and browsing on the server (specs/napster.md §4.1
 * 100/102/110/870/10300, §5 search 200, 211 browse, 215 resume search).
 */
import { FrameBatch } from '../codec.js';
import {
  FILE_TYPES,
  MAX_BROWSE,
  MAX_PATH_BYTES,
  MSG_BROWSE_END,
  MSG_BROWSE_RESULT,
  MSG_HOTLIST_SIGNOFF,
  MSG_NOTICE,
  MSG_RESUME_END,
  MSG_SEARCH_END,
  MSG_SEARCH_RESULT,
  ZERO_MD5,
  type FileType,
} from '../constants.js';
import { atoi, splitFields } from '../messages.js';
import { parseSearch } from '../search-query.js';
import { hasIndexedWord } from '../words.js';
import type { IndexedFile, ShareRecord } from './file-index.js';
import { ERR_UNPARSABLE, type ServerState } from './server-state.js';
import type { Session } from './session.js';

/**
 * A copy of a string that holds no reference to the string it was cut from:
 * V8 represents a slice of 13+ characters as a view on its parent, so a path
 * sliced out of a share's payload would keep the whole payload alive.
 */
function detached(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'latin1').toString('latin1');
}

/** 870's answer to a file whose size is under 1 (opennap add_directory). */
const ERR_INVALID_SIZE = 'invalid size';

/** Adds one file for a user, or returns the 404 text explaining why not. `rec.path` is kept: detach it first. */
function addShare(st: ServerState, s: Session, rec: ShareRecord): string | undefined {
  if (rec.path.length > MAX_PATH_BYTES) return 'filename too long';
  if (!hasIndexedWord(rec.path)) return `Sorry, unable to parse '${rec.path}'`;
  const files = (s.files ??= new Map());
  if (files.has(rec.path)) return 'duplicate file';
  if (files.size >= st.cfg.maxShares) return `You may only share ${st.cfg.maxShares} files`;
  files.set(rec.path, st.index.add(s.slot, rec));
  return undefined;
}

/** 100: `"<path>" <md5> <size> <bitrate> <freq> <seconds>`; non-numbers count as 0 (§8). */
export function onShare(st: ServerState, s: Session, text: string): void {
  const f = splitFields(text);
  if (!f || f.length !== 6) return st.notice(s, ERR_UNPARSABLE);
  const err = addShare(st, s, { path: detached(f[0]!), size: atoi(f[2]!), bitrate: atoi(f[3]!), freq: atoi(f[4]!), seconds: atoi(f[5]!), type: 'mp3' });
  if (err) st.notice(s, err);
}

const QUOTE = 0x22;
const SPACE = 0x20;
/** Digits of a number the fast path reads itself (atoi is exact far beyond). */
const MAX_DIGITS = 15;
const numbers = [0, 0, 0, 0];

/**
 * 100 read straight from the payload bytes (§11: a million of them arrive at
 * login): the usual `"<path>" <md5> <n> <n> <n> <n>`, single spaces, plain
 * digits, costs one string (the path) and no field array. Any other shape
 * goes through onShare, so every answer is onShare's.
 */
export function onShareRaw(st: ServerState, s: Session, p: Buffer): void {
  const n = p.length;
  const q = p[0] === QUOTE ? p.indexOf(QUOTE, 1) : -1;
  let i = q + 1;
  if (q > 0 && p[i] === SPACE) {
    // The md5 field: anything but spaces and quotes, never read.
    const md5 = ++i;
    while (i < n && p[i] !== SPACE && p[i] !== QUOTE) i++;
    let k = 0;
    for (; i > md5 && k < 4 && i < n && p[i] === SPACE; k++) {
      const from = ++i;
      let v = 0;
      while (i < n && p[i]! >= 0x30 && p[i]! <= 0x39) v = v * 10 + (p[i++]! - 0x30);
      if (i === from || i - from > MAX_DIGITS) break;
      numbers[k] = v;
    }
    if (k === 4 && i === n) {
      const err = addShare(st, s, { path: p.toString('latin1', 1, q), size: numbers[0]!, bitrate: numbers[1]!, freq: numbers[2]!, seconds: numbers[3]!, type: 'mp3' });
      if (err) st.notice(s, err);
      return;
    }
  }
  onShare(st, s, p.toString('latin1'));
}

/**
 * 870: `"<dir>" "<file>" <md5> <size> <br> <freq> <secs> ["<file>" ...]`. As in
 * OpenNap, dir and file are joined with `\` only when the dir does not already
 * end with one: TekNap sends `"\home\x\"`, and asks for exactly
 * `\home\x\file` in the 607 it gets back (a doubled `\` is "not found").
 */
export function onShareDir(st: ServerState, s: Session, text: string): void {
  const f = splitFields(text);
  if (!f || f.length < 7 || (f.length - 1) % 6 !== 0) return st.notice(s, ERR_UNPARSABLE);
  const dir = f[0]!;
  const prefix = dir === '' || dir.endsWith('\\') ? dir : `${dir}\\`;
  for (let i = 1; i + 5 < f.length; i += 6) {
    const path = detached(`${prefix}${f[i]!}`);
    // opennap's add_directory (unlike 100 and 10300) refuses a size under 1, a non-number included, and goes on.
    const size = atoi(f[i + 2]!);
    if (size < 1 && path.length <= MAX_PATH_BYTES) {
      st.notice(s, ERR_INVALID_SIZE);
      continue;
    }
    const err = addShare(st, s, { path, size, bitrate: atoi(f[i + 3]!), freq: atoi(f[i + 4]!), seconds: atoi(f[i + 5]!), type: 'mp3' });
    if (err) {
      st.notice(s, err);
      if (err.startsWith('You may only')) return;
    }
  }
}

/** 10300: `"<path>" <size> <md5> <type>`; found only by TYPE searches. */
export function onShareGeneric(st: ServerState, s: Session, text: string): void {
  const f = splitFields(text);
  if (!f || f.length !== 4) return st.notice(s, ERR_UNPARSABLE);
  const type = f[3]!.toLowerCase();
  if (type === 'mp3' || !(FILE_TYPES as readonly string[]).includes(type)) return st.notice(s, `${f[3]!} is not a valid type`);
  const err = addShare(st, s, { path: detached(f[0]!), size: atoi(f[1]!), bitrate: 0, freq: 0, seconds: 0, type: type as FileType });
  if (err) st.notice(s, err);
}

/** 102: the path, unquoted, is the whole payload. */
export function onUnshare(st: ServerState, s: Session, text: string): void {
  const slot = s.files?.get(text);
  if (slot === undefined) return st.notice(s, 'Not sharing that file');
  s.files!.delete(text);
  st.index.remove(slot);
}

/** 110: unshare everything. */
export function onUnshareAll(st: ServerState, s: Session): void {
  for (const slot of s.files?.values() ?? []) st.index.remove(slot);
  s.files = undefined;
}

function resultLine(st: ServerState, f: IndexedFile): string {
  const owner = st.bySlot(f.owner)!;
  return `"${f.path}" ${ZERO_MD5} ${f.size} ${f.bitrate} ${f.freq} ${f.seconds} ${owner.nick} ${owner.ipNum} ${owner.speed}`;
}

/**
 * 200: 201 per hit (at most 100), then always 202; errors are a 404 before
 * the 202 (§5). All frames of one answer leave in one write (§11).
 */
export function onSearch(st: ServerState, s: Session, text: string): void {
  st.searches++;
  const batch = new FrameBatch();
  const parsed = parseSearch(text);
  if (!parsed.ok) {
    batch.add(MSG_NOTICE, parsed.error);
  } else {
    const fw = s.firewalled;
    const hits = st.index.search(parsed.search, {
      self: s.slot,
      hidden: (owner) => fw && (st.bySlot(owner)?.firewalled ?? true),
      speed: (owner) => st.bySlot(owner)?.speed ?? 0,
    });
    for (const h of hits) batch.add(MSG_SEARCH_RESULT, resultLine(st, h));
  }
  batch.add(MSG_SEARCH_END);
  s.sendRaw(batch.toBuffer());
}

/** 211 `<nick> [max]`: 212 per file (at most 500), then 213 `<nick> <ip>`; unknown: 210 + 213. */
export function onBrowse(st: ServerState, s: Session, text: string): void {
  const f = splitFields(text);
  if (!f || f.length < 1) return st.notice(s, ERR_UNPARSABLE);
  const nick = f[0]!;
  const max = f[1] !== undefined && atoi(f[1]) > 0 ? Math.min(atoi(f[1]), MAX_BROWSE) : MAX_BROWSE;
  const target = st.online(nick);
  const batch = new FrameBatch();
  if (!target) {
    batch.add(MSG_HOTLIST_SIGNOFF, nick).add(MSG_BROWSE_END, nick);
    return s.sendRaw(batch.toBuffer());
  }
  let n = 0;
  for (const slot of target.files?.values() ?? []) {
    if (n++ >= max) break;
    const file = st.index.get(slot);
    if (!file) continue;
    batch.add(MSG_BROWSE_RESULT, `${target.nick} "${file.path}" ${ZERO_MD5} ${file.size} ${file.bitrate} ${file.freq} ${file.seconds}`);
  }
  batch.add(MSG_BROWSE_END, `${target.nick} ${target.shared > 0 ? target.ipNum : 0}`);
  s.sendRaw(batch.toBuffer());
}

/** 215 resume search: a stock 0.44 keeps no md5s, so just the end marker 217. */
export function onResumeSearch(_st: ServerState, s: Session): void {
  s.send(MSG_RESUME_END);
}
