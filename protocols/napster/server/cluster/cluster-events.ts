/**
 * What this server does when another server of the cluster speaks (issue 15):
 * users signing on and off reach local hotlists (209/210), channel joins,
 * parts and lines reach local members (406/407/403/824/410), a server gone
 * takes its users out of both and a server (re)joining brings them back in,
 * and a ghost request disconnects a local user.
 */
import { FrameBatch } from '../../codec.js';
import * as C from '../../constants.js';
import { decideNickClash } from '../login-policy.js';
import type { RemoteUser } from '../server-network.js';
import type { ServerState } from '../server-state.js';
import type { Arrived, ClusterDirectory, Departed } from './cluster-directory.js';
import * as M from './cluster-messages.js';

/** What left with a server: hotlists hear 210, channel members 407. */
export function gone(st: ServerState, d: Departed): void {
  for (const u of d.users) tellWatchers(st, u.nick, C.MSG_HOTLIST_SIGNOFF, u.nick);
  for (const p of d.parts) {
    const ch = st.channels.get(p.channel);
    for (const local of ch?.members ?? []) local.send(C.MSG_PART_NOTICE, `${ch!.name} ${p.member.nick} ${p.member.shared} ${p.member.speed}`);
  }
}

/** What came with a server (it appeared, or came back after a split): hotlists hear 209, channel members 406. */
export function arrived(st: ServerState, a: Arrived): void {
  for (const u of a.users) tellWatchers(st, u.nick, C.MSG_HOTLIST_SIGNON, `${u.nick} ${u.speed}`);
  for (const j of a.joins) {
    const ch = st.channels.get(j.channel);
    for (const local of ch?.members ?? []) local.send(C.MSG_JOIN_NOTICE, `${ch!.name} ${j.member.nick} ${j.member.shared} ${j.member.speed}`);
  }
}

/** Hotlist news about a user of another server, to the local users watching it. */
export function tellWatchers(st: ServerState, nick: string, type: number, payload: string): void {
  if (st.online(nick)) return;
  for (const w of st.watchers.get(nick.toLowerCase()) ?? []) w.send(type, payload);
}

/** A user of another server signed on or off. */
export function onUserEvent(st: ServerState, dir: ClusterDirectory, selfId: string, e: unknown): void {
  if (!M.isUserEvent(e) || e.user.server === selfId) return;
  if (e.op === 'on') {
    settleClash(st, dir, selfId, e.user);
    if (dir.signOn(e.user)) tellWatchers(st, e.user.nick, C.MSG_HOTLIST_SIGNON, `${e.user.nick} ${e.user.speed}`);
  } else if (dir.signOff(e.user)) {
    tellWatchers(st, e.user.nick, C.MSG_HOTLIST_SIGNOFF, e.user.nick);
  }
}

/** A join, part or line in a channel on another server. */
export function onChanEvent(st: ServerState, dir: ClusterDirectory, selfId: string, e: unknown): void {
  if (!M.isChanEvent(e) || e.server === selfId || !dir.servers.has(e.server)) return;
  const ch = st.channels.get(e.channel);
  const line = `${ch?.name ?? e.channel} ${e.member.nick} ${e.member.shared} ${e.member.speed}`;
  const key = e.member.nick.toLowerCase();
  switch (e.op) {
    case 'join':
      dir.join(e.channel, e.server, e.member);
      for (const m of ch?.members ?? []) m.send(C.MSG_JOIN_NOTICE, line);
      return;
    case 'part':
      dir.part(e.channel, e.server, e.member.nick);
      for (const m of ch?.members ?? []) m.send(C.MSG_PART_NOTICE, line);
      return;
    case 'say': {
      if (!ch) return;
      const body = e.body ?? '';
      if (e.type === C.MSG_TOPIC) {
        ch.topic = body;
        for (const m of ch.members) m.send(C.MSG_TOPIC, `${ch.name} ${body}`);
      } else if (e.type === C.MSG_PUBLIC_MSG || e.type === C.MSG_EMOTE) {
        for (const m of ch.members) if (!m.ignoring(key)) m.send(e.type, `${ch.name} ${e.member.nick} ${body}`);
      }
      return;
    }
  }
}

/** Another server applies the ghost rule to one of our users. */
export function onGhost(st: ServerState, e: unknown): void {
  if (!M.isGhostRequest(e)) return;
  const s = st.online(e.nick);
  if (s) st.ghost(s, e.by, GHOSTED_ELSEWHERE);
}

const GHOSTED_ELSEWHERE = 'ghost: someone else logged in with this nick on another server';

/**
 * A user of another server has the nick of one of ours: two servers admitted
 * it at nearly the same moment (or a partition healed). Both servers decide
 * alike (decideNickClash), so exactly one of the two logins stands.
 */
export function settleClash(st: ServerState, dir: ClusterDirectory, selfId: string, u: RemoteUser): void {
  const ours = st.online(u.nick);
  if (!ours || u.server === selfId) return;
  const by = dir.servers.get(u.server)?.name ?? u.server;
  const verdict = decideNickClash({ ip: ours.ip, at: ours.loginAt, server: selfId }, { ip: u.ip, at: u.at ?? 0, server: u.server });
  if (verdict === 'ghost') return st.ghost(ours, by, GHOSTED_ELSEWHERE);
  if (verdict === 'refuse') {
    st.log.info(`napster cluster: ${u.nick} logged in on server ${by} first, from another address: our login gives way`);
    ours.sendRaw(new FrameBatch().add(C.MSG_NOTICE, `${u.nick} is already active`).add(C.MSG_DISCONNECTING, '0').toBuffer());
    st.detach(ours);
    ours.conn.close(`nick clash: ${u.nick} is already active on server ${by}`);
  }
}

/** One page of this server's users (and on page 0 its channels) for a server that just appeared. */
export function statePage(st: ServerState, selfId: string, page: number): M.StateReply {
  const all = [...st.users.values()];
  const users = all.slice(page * M.STATE_PAGE_USERS, (page + 1) * M.STATE_PAGE_USERS).map((u) => ({
    nick: u.nick, server: selfId, ip: u.ip, ipNum: u.ipNum, port: u.port, speed: u.speed, shared: u.shared, at: u.loginAt,
  }));
  const channels =
    page === 0
      ? [...st.channels.all()].slice(0, M.STATE_CHANNELS_MAX).map((ch) => ({ name: ch.name, members: ch.members.map((m) => ({ nick: m.nick, shared: m.shared, speed: m.speed })) }))
      : [];
  return { users, channels, more: (page + 1) * M.STATE_PAGE_USERS < all.length };
}
