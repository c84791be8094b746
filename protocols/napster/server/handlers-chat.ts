/**
 * Private messages and channels (specs/napster.md §4.1 205, 400-410, 617/618,
 * 824, 830): bodies cut to 180 bytes counted from the target, 403 echoed to
 * the sender too, a missing `#` prepended, at most 5 channels per user.
 */
import { FrameBatch } from '../codec.js';
import {
  LEVEL_MODERATOR,
  MAX_CHANNELS,
  MAX_CHAT_BYTES,
  MSG_CHANNEL_LIST_END,
  MSG_CHANNEL_LIST_ENTRY,
  MSG_CHANNEL_USER,
  MSG_CHANNEL_USERS_END,
  MSG_EMOTE,
  MSG_JOIN_ACK,
  MSG_JOIN_NOTICE,
  MSG_NAMES,
  MSG_NAMES_ENTRY,
  MSG_NOTICE,
  MSG_PART,
  MSG_PART_NOTICE,
  MSG_PRIVMSG,
  MSG_PUBLIC_MSG,
  MSG_TOPIC,
} from '../constants.js';
import { isValidChannel, splitFields, splitFirst } from '../messages.js';
import { clipTopic, MAX_CHANNELS_TOTAL, type Channel } from './channels.js';
import { ERR_NOT_ONLINE, ERR_UNPARSABLE, type ServerState } from './server-state.js';
import type { Session } from './session.js';

/** Cuts a payload to the chat limit (§8: truncated, not rejected). */
function clip(text: string): string {
  return text.length > MAX_CHAT_BYTES ? text.slice(0, MAX_CHAT_BYTES) : text;
}

/**
 * 205 `<to> <text>`: the target gets 205 `<from> <text>`. As opennap's privmsg.c
 * splits it (next_arg_noskip): only a body without a space is unparsable; the text
 * after the first space goes as it is, empty too (`alice ` reaches alice as `bob `),
 * and an empty `<to>` is nobody online.
 */
export function onPrivateMessage(st: ServerState, s: Session, text: string): void {
  const clipped = clip(text);
  if (!clipped.includes(' ')) return st.notice(s, ERR_UNPARSABLE);
  const [to, body] = splitFirst(clipped);
  const target = to === '' ? undefined : st.online(to);
  if (!target) return st.notice(s, ERR_NOT_ONLINE);
  if (target.ignoring(s.key)) return st.notice(s, `${target.nick} is ignoring you`);
  target.send(MSG_PRIVMSG, `${s.nick} ${body}`);
}

function memberLine(ch: Channel, m: Session): string {
  return `${ch.name} ${m.nick} ${m.shared} ${m.speed}`;
}

function joined(s: Session, ch: Channel): boolean {
  return ch.members.includes(s);
}

/** 400 `<channel>`: 405, 408 per member (you first), 409, 410; the creator becomes operator. */
export function onJoin(st: ServerState, s: Session, text: string): void {
  let name = text.trim();
  if (name !== '' && name[0] !== '#' && name[0] !== '&') name = `#${name}`;
  if (!isValidChannel(name)) return st.notice(s, 'invalid channel');
  if (s.muzzled) return st.notice(s, "channel join failed: can't join channels while muzzled");
  let ch = st.channels.get(name);
  if (ch && joined(s, ch)) return st.notice(s, 'channel join failed: already joined channel');
  if ((s.channels?.length ?? 0) >= MAX_CHANNELS) return st.notice(s, `channel join failed: you may only join ${MAX_CHANNELS} channels`);
  let created = false;
  if (!ch) {
    if (st.channels.size >= MAX_CHANNELS_TOTAL) return st.notice(s, 'channel join failed: channel full');
    ch = st.channels.create(name, s);
    created = true;
  } else {
    ch.members.unshift(s);
  }
  (s.channels ??= []).push(ch.name.toLowerCase());
  const batch = new FrameBatch().add(MSG_JOIN_ACK, ch.name);
  for (const m of ch.members) batch.add(MSG_CHANNEL_USER, memberLine(ch, m));
  const remote = st.network.channelMembers(ch.name);
  for (const r of remote) batch.add(MSG_CHANNEL_USER, `${ch.name} ${r.nick} ${r.shared} ${r.speed}`);
  batch.add(MSG_CHANNEL_USERS_END, ch.name).add(MSG_TOPIC, `${ch.name} ${ch.topic}`);
  if (created && remote.length === 0) batch.add(MSG_NOTICE, `Server ${st.cfg.name} set you as operator on channel ${ch.name}`);
  s.sendRaw(batch.toBuffer());
  for (const m of ch.members) if (m !== s) m.send(MSG_JOIN_NOTICE, memberLine(ch, s));
  st.network.channelJoined(ch.name, s);
}

function memberChannel(st: ServerState, s: Session, name: string): Channel | undefined {
  const ch = st.channels.get(name);
  return ch && joined(s, ch) ? ch : undefined;
}

/** 401 `<channel>`: 401 to you, 407 to the others. */
export function onPart(st: ServerState, s: Session, text: string): void {
  const ch = memberChannel(st, s, text.trim());
  if (!ch) return st.notice(s, 'part channel failed: you are not in that channel');
  partChannel(st, s, ch);
  s.send(MSG_PART, ch.name);
}

/** Removes a member and tells the rest (407). */
export function partChannel(st: ServerState, s: Session, ch: Channel): void {
  st.channels.leave(ch, s);
  s.channels = s.channels?.filter((k) => k !== ch.name.toLowerCase());
  for (const m of ch.members) m.send(MSG_PART_NOTICE, memberLine(ch, s));
  st.network.channelParted(ch.name, s);
}

/** 402 `<channel> <text>`: every member, the sender included, gets 403 `<channel> <nick> <text>`. */
export function onPublic(st: ServerState, s: Session, text: string): void {
  // opennap's public.c: a muzzled user is told so first (with a period, unlike 824's), member or not.
  if (s.muzzled) return st.notice(s, 'You are muzzled.');
  // A channel name with no space after it carries no text: opennap calls that unparsable.
  if (!text.includes(' ')) return st.notice(s, ERR_UNPARSABLE);
  const [name, body] = splitFirst(clip(text));
  const ch = memberChannel(st, s, name);
  if (!ch) return st.notice(s, 'You are not a member of that channel');
  const frame = `${ch.name} ${s.nick} ${body}`;
  for (const m of ch.members) if (!m.ignoring(s.key)) m.send(MSG_PUBLIC_MSG, frame);
  st.network.channelSaid(ch.name, s, MSG_PUBLIC_MSG, body);
}

/**
 * 824 `<channel> "<text>"`: 824 `<channel> <nick> "<text>"` to every member. As
 * opennap's public.c: the text is the second field, sent on in quotes (quoted
 * or not as it came); a payload over 180 bytes is cut to 180 with its last
 * byte made the closing quote; fewer than two fields is unparsable.
 */
export function onEmote(st: ServerState, s: Session, text: string): void {
  if (s.muzzled) return st.notice(s, 'You are muzzled');
  const f = splitFields(text.length > MAX_CHAT_BYTES ? `${text.slice(0, MAX_CHAT_BYTES - 1)}"` : text);
  if (!f || f.length < 2) return st.notice(s, ERR_UNPARSABLE);
  const ch = memberChannel(st, s, f[0]!);
  if (!ch) return st.notice(s, 'You are not a member of that channel');
  const body = `"${f[1]!}"`;
  for (const m of ch.members) if (!m.ignoring(s.key)) m.send(MSG_EMOTE, `${ch.name} ${s.nick} ${body}`);
  st.network.channelSaid(ch.name, s, MSG_EMOTE, body);
}

/** 410 `<channel> [topic]`: query, or set (operators and moderators) with a notice to the setter. */
export function onTopic(st: ServerState, s: Session, text: string): void {
  const [name, topic] = splitFirst(text);
  const ch = st.channels.get(name);
  if (!ch) return st.notice(s, 'no such channel');
  if (topic === '') return s.send(MSG_TOPIC, `${ch.name} ${ch.topic}`);
  if (!ch.ops.has(s) && s.level < LEVEL_MODERATOR) return st.notice(s, 'topic failed: permission denied');
  ch.topic = clipTopic(topic);
  for (const m of ch.members) m.send(MSG_TOPIC, `${ch.name} ${ch.topic}`);
  st.network.channelSaid(ch.name, s, MSG_TOPIC, ch.topic);
  st.notice(s, `${s.nick} set topic on ${ch.name}: ${ch.topic}`);
}

/** 830 `<channel>`: 825 per member, then an empty 830. */
export function onNames(st: ServerState, s: Session, text: string): void {
  const ch = st.channels.get(text.trim());
  const batch = new FrameBatch();
  for (const m of ch?.members ?? []) batch.add(MSG_NAMES_ENTRY, memberLine(ch!, m));
  const name = ch?.name ?? text.trim();
  for (const r of st.network.channelMembers(name)) batch.add(MSG_NAMES_ENTRY, `${name} ${r.nick} ${r.shared} ${r.speed}`);
  batch.add(MSG_NAMES);
  s.sendRaw(batch.toBuffer());
}

/** 617: 618 `<channel> <users> <topic>` per channel, then an empty 617. */
export function onChannelList(st: ServerState, s: Session): void {
  const batch = new FrameBatch();
  for (const ch of st.channels.all()) batch.add(MSG_CHANNEL_LIST_ENTRY, `${ch.name} ${ch.members.length + st.network.channelMembers(ch.name).length} ${ch.topic}`);
  batch.add(MSG_CHANNEL_LIST_END);
  s.sendRaw(batch.toBuffer());
}
