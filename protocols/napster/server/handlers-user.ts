/**
 * User queries and settings (specs/napster.md §4.1): whois 603/604/605, link
 * speed 600/601, hotlist 207/208/303, ignore list 320-326, pings 750-752,
 * 700-703, MOTD 621, stats 214 and the version check 4.
 */
import { FrameBatch } from '../codec.js';
import {
  LEVELS,
  MAX_HOTLIST,
  MAX_IGNORE,
  MSG_HOTLIST_ACK,
  MSG_HOTLIST_ERROR,
  MSG_HOTLIST_SIGNON,
  MSG_IGNORE_ADD,
  MSG_IGNORE_ALREADY,
  MSG_IGNORE_CLEAR,
  MSG_IGNORE_ENTRY,
  MSG_IGNORE_LIST,
  MSG_IGNORE_NOT,
  MSG_IGNORE_REMOVE,
  MSG_LINK_SPEED_REPLY,
  MSG_PING,
  MSG_PONG,
  MSG_SERVER_PING,
  MSG_VERSION_CHECK,
  MSG_WHOIS_REPLY,
  MSG_WHOWAS,
} from '../constants.js';
import { atoi, isValidNick, splitFields } from '../messages.js';
import { ERR_NOT_ONLINE, ERR_UNPARSABLE, type ServerState } from './server-state.js';
import type { Session } from './session.js';

/**
 * 603 `<nick>`: 604 for an online user; 605 for a registered one offline; an
 * unknown nick gets `user X is not a known user`; both of the latter are
 * followed by `User is not currently online.` (as recorded from 0.44). A
 * server cut off from its cluster says where a remote user was instead, and
 * after an offline answer that other servers' users cannot be seen now.
 */
export function onWhois(st: ServerState, s: Session, text: string): void {
  const nick = text.trim();
  const u = st.online(nick);
  if (u) {
    const chans = (u.channels ?? []).map((k) => st.channels.get(k)?.name ?? k);
    const chanField = chans.length ? ` ${chans.join(' ')} ` : ' ';
    const secs = Math.floor((st.clock.now() - u.loginAt) / 1000);
    s.send(
      MSG_WHOIS_REPLY,
      `${u.nick} "${LEVELS[u.level]}" ${secs} "${chanField}" "Active" ${u.shared} ${u.downloads} ${u.uploads} ${u.speed} "${u.client}"`,
    );
    return;
  }
  // Cut off from the cluster (issue 15): a user of another server is not known to be offline.
  const cut = st.network.cutOff(nick);
  const since = cut && agoWords(st.clock.now() - cut.since);
  if (cut?.lastServer !== undefined) {
    return st.notice(s, `${nick} was on server ${cut.lastServer} when the cluster link went down ${since}; whether they are online now is unknown`);
  }
  const acct = st.accounts.get(nick);
  if (acct) s.send(MSG_WHOWAS, `${acct.nick} "${LEVELS[acct.level]}" ${acct.lastSeen}`);
  else st.notice(s, `user ${nick} is not a known user`);
  st.notice(s, ERR_NOT_ONLINE);
  if (cut) st.notice(s, `the cluster link is down (since ${since}): users of the other servers cannot be seen now`);
}

/** `12 s ago`, `5 min ago`, `3 h ago`. */
export function agoWords(ms: number): string {
  const secs = Math.max(0, Math.floor(ms / 1000));
  if (secs < 120) return `${secs} s ago`;
  if (secs < 7_200) return `${Math.floor(secs / 60)} min ago`;
  return `${Math.floor(secs / 3_600)} h ago`;
}

/** 600 `<nick>`: 601 `<nick> <speed>`. */
export function onLinkSpeed(st: ServerState, s: Session, text: string): void {
  const u = st.online(text.trim());
  if (!u) return st.notice(s, ERR_NOT_ONLINE);
  s.send(MSG_LINK_SPEED_REPLY, `${u.nick} ${u.speed}`);
}

/** 207/208 `<nick>`: 301 always, then 209 if the nick is online; later 209/210 on sign-on/off. */
export function onHotlistAdd(st: ServerState, s: Session, text: string): void {
  const nick = text.trim();
  if (!isValidNick(nick)) return s.send(MSG_HOTLIST_ERROR, nick);
  const key = nick.toLowerCase();
  const list = (s.hotlist ??= new Set());
  if (!list.has(key)) {
    if (list.size >= MAX_HOTLIST) return s.send(MSG_HOTLIST_ERROR, nick);
    list.add(key);
    let w = st.watchers.get(key);
    if (!w) st.watchers.set(key, (w = new Set()));
    w.add(s);
  }
  const batch = new FrameBatch().add(MSG_HOTLIST_ACK, nick);
  const u = st.online(nick) ?? st.network.remote(nick);
  if (u) batch.add(MSG_HOTLIST_SIGNON, `${u.nick} ${u.speed}`);
  s.sendRaw(batch.toBuffer());
}

/** 303 `<nick>`: removes it; no reply. */
export function onHotlistRemove(st: ServerState, s: Session, text: string): void {
  const key = text.trim().toLowerCase();
  if (!s.hotlist?.delete(key)) return;
  const w = st.watchers.get(key);
  w?.delete(s);
  if (w?.size === 0) st.watchers.delete(key);
}

/** 320: 321 per ignored nick, then 320 `<count>`. */
export function onIgnoreList(_st: ServerState, s: Session): void {
  const batch = new FrameBatch();
  for (const n of s.ignores ?? []) batch.add(MSG_IGNORE_ENTRY, n);
  batch.add(MSG_IGNORE_LIST, String(s.ignores?.size ?? 0));
  s.sendRaw(batch.toBuffer());
}

/** 322 `<nick>`: echo, or 325 when already ignored. */
export function onIgnoreAdd(st: ServerState, s: Session, text: string): void {
  const nick = text.trim();
  if (!isValidNick(nick)) return st.notice(s, 'invalid nickname');
  const set = (s.ignores ??= new Set());
  const key = nick.toLowerCase();
  if (set.has(key)) return s.send(MSG_IGNORE_ALREADY, nick);
  if (set.size >= MAX_IGNORE) return st.notice(s, `ignore list is limited to ${MAX_IGNORE} entries`);
  set.add(key);
  s.send(MSG_IGNORE_ADD, nick);
}

/** 323 `<nick>`: echo, or 324 when not ignored. */
export function onIgnoreRemove(_st: ServerState, s: Session, text: string): void {
  const nick = text.trim();
  if (!s.ignores?.delete(nick.toLowerCase())) return s.send(MSG_IGNORE_NOT, nick);
  s.send(MSG_IGNORE_REMOVE, nick);
}

/** 326: clears the list; replies with how many were removed. */
export function onIgnoreClear(_st: ServerState, s: Session): void {
  const n = s.ignores?.size ?? 0;
  s.ignores = undefined;
  s.send(MSG_IGNORE_CLEAR, String(n));
}

/**
 * 750 `[<server> [args]]` (§4.1, opennap 0.44): empty or our own name (any
 * case) is answered `750 <our name> <args>` (so `750 <name>` gets `<name> `
 * with its trailing space, as the empty ping does); another name is a server
 * we do not know.
 */
export function onServerPing(st: ServerState, s: Session, text: string): void {
  const sp = text.indexOf(' ');
  const server = sp < 0 ? text : text.slice(0, sp);
  const args = sp < 0 ? '' : text.slice(sp + 1);
  if (server !== '' && server.toLowerCase() !== st.cfg.name.toLowerCase()) return st.notice(s, 'server ping failed: no such server');
  s.send(MSG_SERVER_PING, `${st.cfg.name} ${args}`);
}

/** 751 `<nick>`: relayed as 751 `<sender>`. */
export function onPing(st: ServerState, s: Session, text: string): void {
  const [nick, ...rest] = text.split(' ');
  const u = st.online(nick ?? '');
  if (!u) return st.notice(s, `ping failed, ${nick ?? ''} is not online`);
  if (u.ignoring(s.key)) return st.notice(s, `${u.nick} is ignoring you`);
  u.send(MSG_PING, [s.nick, ...rest].join(' '));
}

/** 752 `<nick>`: relayed as 752 `<sender>`. */
export function onPong(st: ServerState, s: Session, text: string): void {
  const [nick, ...rest] = text.trim().split(' ');
  const u = st.online(nick ?? '');
  if (!u) return st.notice(s, `ping failed, ${nick ?? ''} is not online`);
  u.send(MSG_PONG, [s.nick, ...rest].join(' '));
}

/**
 * 700 `<speed>`, read as opennap's change.c reads it (atoi: leading digits, else 0):
 * 0-10 taken without a reply, anything else `404 invalid speed`.
 */
export function onChangeSpeed(st: ServerState, s: Session, text: string): void {
  const n = atoi(text.trimStart());
  if (n < 0 || n > 10) return st.notice(s, 'invalid speed');
  s.speed = n;
}

/** 701 `<password>`: re-hashes the account. */
export function onChangePassword(st: ServerState, s: Session, text: string): void {
  const pw = text.trim();
  if (pw === '' || pw.includes(' ')) return st.notice(s, ERR_UNPARSABLE);
  st.accounts.register(s.nick, pw).catch((err: unknown) => st.log.warn(`napster: password change for ${s.nick}: ${String(err)}`));
}

/** 702 `<email>`. */
export function onChangeEmail(st: ServerState, s: Session, text: string): void {
  st.accounts.update(s.nick, { email: text.trim() });
}

/**
 * 703 `<port>`, as opennap's change.c: atoi (so `abc` is 0, firewalled), 0-65535 taken
 * without a reply (MP3::Napster logs in with port 0 and sends its port this way),
 * anything else `404 invalid data port`.
 */
export function onChangeDataPort(st: ServerState, s: Session, text: string): void {
  const n = atoi(text.trimStart());
  if (n < 0 || n > 65535) return st.notice(s, 'invalid data port');
  s.port = n;
}

/** 621: the MOTD again. */
export function onMotd(st: ServerState, s: Session): void {
  s.sendRaw(st.motd().toBuffer());
}

/** 214: `<users> <files> <gigabytes>`. */
export function onStats(st: ServerState, s: Session): void {
  st.sendStats(s);
}

/** 4 after login: an empty 4. */
export function onVersionCheck(_st: ServerState, s: Session): void {
  s.send(MSG_VERSION_CHECK);
}

/** Fields of a `<nick> ["reason"]` admin command. */
export function nickAndReason(text: string): { nick: string; reason: string } | undefined {
  const f = splitFields(text);
  if (!f || f.length < 1) return undefined;
  return { nick: f[0]!, reason: f.slice(1).join(' ') };
}
