/**
 * The moderator and admin commands a workgroup needs (specs/napster.md §4.1
 * admin types): set level 606, kill 610, ban 612 / unban 614 / ban list 615,
 * muzzle 622 / unmuzzle 623, announce 628. Everyone else gets
 * `404 permission denied`. One may only act on users below one's own level.
 */
import { FrameBatch } from '../codec.js';
import {
  LEVEL_ADMIN,
  LEVEL_ELITE,
  LEVEL_MODERATOR,
  LEVELS,
  MSG_ANNOUNCE,
  MSG_BAN_LIST,
  MSG_BAN_LIST_ENTRY,
  MSG_DISCONNECTING,
  MSG_NOTICE,
} from '../constants.js';
import { MAX_BANS } from './account-store.js';
import { nickAndReason } from './handlers-user.js';
import { ERR_NOT_ONLINE, ERR_PERMISSION, ERR_UNPARSABLE, type ServerState } from './server-state.js';
import type { Session } from './session.js';

function allowed(st: ServerState, s: Session, min: number): boolean {
  if (s.level >= min) return true;
  st.notice(s, ERR_PERMISSION);
  return false;
}

/** Tells every moderator and above (the server's notices to staff). */
function tellStaff(st: ServerState, text: string): void {
  for (const u of st.users.values()) if (u.level >= LEVEL_MODERATOR) u.send(MSG_NOTICE, text);
}

/** Disconnects a user with a reason they see first (404, then 316). */
export function killUser(target: Session, text: string): void {
  target.sendRaw(new FrameBatch().add(MSG_NOTICE, text).add(MSG_DISCONNECTING, '0').toBuffer());
  target.conn.close(`killed: ${text}`);
}

/** 606 `<nick> <level>`: a level word or number, below one's own (Elite may set anything). */
export function onSetLevel(st: ServerState, s: Session, text: string): void {
  if (!allowed(st, s, LEVEL_MODERATOR)) return;
  const [nick, word] = text.trim().split(/ +/);
  if (!nick || !word) return st.notice(s, ERR_UNPARSABLE);
  const idx = /^\d$/.test(word) ? Number(word) : LEVELS.findIndex((l) => l.toLowerCase() === word.toLowerCase());
  if (idx < 0 || idx >= LEVELS.length) return st.notice(s, `${word}: invalid level`);
  const acct = st.accounts.get(nick);
  const current = st.online(nick)?.level ?? acct?.level;
  if (current === undefined) return st.notice(s, `user ${nick} is not a known user`);
  if (s.level < LEVEL_ELITE && (idx >= s.level || current >= s.level)) return st.notice(s, ERR_PERMISSION);
  st.accounts.update(nick, { level: idx });
  const u = st.online(nick);
  if (u) u.level = idx;
  tellStaff(st, `${s.nick} changed ${nick}'s user level to ${LEVELS[idx]} (${idx})`);
}

/** 610 `<nick> ["reason"]`. */
export function onKill(st: ServerState, s: Session, text: string): void {
  if (!allowed(st, s, LEVEL_MODERATOR)) return;
  const a = nickAndReason(text);
  if (!a) return st.notice(s, ERR_UNPARSABLE);
  const u = st.online(a.nick);
  if (!u) return st.notice(s, ERR_NOT_ONLINE);
  if (u.level >= s.level && s.level < LEVEL_ELITE) return st.notice(s, ERR_PERMISSION);
  tellStaff(st, `${s.nick} killed ${u.nick}: ${a.reason}`);
  killUser(u, `You were killed by ${s.nick}: ${a.reason}`);
}

/** 612 `<nick-or-ip> ["reason"]`: refuses future logins; an online nick is disconnected. */
export function onBan(st: ServerState, s: Session, text: string): void {
  if (!allowed(st, s, LEVEL_MODERATOR)) return;
  const a = nickAndReason(text);
  if (!a) return st.notice(s, ERR_UNPARSABLE);
  const u = st.online(a.nick);
  if (u && u.level >= s.level && s.level < LEVEL_ELITE) return st.notice(s, ERR_PERMISSION);
  if (!st.accounts.ban({ target: a.nick, by: s.nick, reason: a.reason, at: Math.floor(st.clock.now() / 1000) })) {
    return st.notice(s, `ban failed: the ban list is full (${MAX_BANS} bans); remove some with 614`);
  }
  tellStaff(st, `${s.nick} banned ${a.nick}: ${a.reason}`);
  if (u) killUser(u, `You were banned by ${s.nick}: ${a.reason}`);
  for (const other of st.users.values()) {
    if (other.ip === a.nick && other.level < s.level) killUser(other, `You were banned by ${s.nick}: ${a.reason}`);
  }
}

/** 614 `<nick-or-ip>`. */
export function onUnban(st: ServerState, s: Session, text: string): void {
  if (!allowed(st, s, LEVEL_MODERATOR)) return;
  const target = text.trim().split(' ')[0] ?? '';
  if (!st.accounts.unban(target)) return st.notice(s, `${target} is not banned`);
  tellStaff(st, `${s.nick} removed the ban on ${target}`);
}

/** 615: 616 `<target> <by> "<reason>" <time>` per ban, then an empty 615. */
export function onBanList(st: ServerState, s: Session): void {
  if (!allowed(st, s, LEVEL_MODERATOR)) return;
  const batch = new FrameBatch();
  for (const b of st.accounts.bans()) batch.add(MSG_BAN_LIST_ENTRY, `${b.target} ${b.by} "${b.reason.replaceAll('"', '')}" ${b.at}`);
  batch.add(MSG_BAN_LIST);
  s.sendRaw(batch.toBuffer());
}

/** 622/623 `<nick> ["reason"]`: a muzzled user cannot talk in channels. */
export function onMuzzle(muzzle: boolean): (st: ServerState, s: Session, text: string) => void {
  return (st, s, text) => {
    if (!allowed(st, s, LEVEL_MODERATOR)) return;
    const a = nickAndReason(text);
    if (!a) return st.notice(s, ERR_UNPARSABLE);
    const u = st.online(a.nick);
    if (!u) return st.notice(s, ERR_NOT_ONLINE);
    if (u.level >= s.level && s.level < LEVEL_ELITE) return st.notice(s, ERR_PERMISSION);
    u.muzzled = muzzle;
    u.send(MSG_NOTICE, muzzle ? `You have been muzzled by ${s.nick}: ${a.reason}` : `You have been unmuzzled by ${s.nick}`);
    tellStaff(st, `${s.nick} ${muzzle ? 'muzzled' : 'unmuzzled'} ${u.nick}`);
  };
}

/** 628 `<text>`: every user gets 628 `<nick> <text>`. */
export function onAnnounce(st: ServerState, s: Session, text: string): void {
  if (!allowed(st, s, LEVEL_ADMIN)) return;
  const frame = `${s.nick} ${text}`;
  for (const u of st.users.values()) u.send(MSG_ANNOUNCE, frame);
}
