/**
 * What one server knows of the others (issue 15): the live servers by their
 * heartbeats, the users on each, and the channel members on each. Pure state:
 * cluster-node.ts feeds it from NATS and a clock. A server not heard from for
 * DEAD_AFTER_MS is dropped with everything it held, so a crashed server's
 * users leave searches and presence within 10 s.
 */
import type { NetworkTotals, RemoteMember, RemoteUser } from '../server-network.js';
import { decideNickClash, type ClusterLogin } from '../login-policy.js';
import type { Beat } from './cluster-messages.js';

/** How often a server says it is alive. */
export const BEAT_MS = 2_000;
/** A server silent this long is gone (three missed beats and some slack). */
export const DEAD_AFTER_MS = 6_500;
/** Caps on what other servers may make us hold. */
export const MAX_SERVERS = 256;
export const MAX_REMOTE_USERS = 500_000;
export const MAX_REMOTE_MEMBERS = 10_000;

/** A live server of the cluster as its last heartbeat described it. */
export interface PeerServer extends Beat {
  lastBeat: number;
  /** Its users and channels were fetched since it appeared. */
  synced: boolean;
}

interface Member extends RemoteMember {
  server: string;
}

/** What left with a server: its users, and its members of each channel. */
export interface Departed {
  users: RemoteUser[];
  parts: Array<{ channel: string; member: RemoteMember }>;
}

/** What a newly synced server brought: its users, and its members of each channel. */
export interface Arrived {
  users: RemoteUser[];
  joins: Array<{ channel: string; member: RemoteMember }>;
}

export class ClusterDirectory {
  readonly servers = new Map<string, PeerServer>();
  readonly #users = new Map<string, RemoteUser>();
  /** Channel key -> nick key -> member, oldest first. */
  readonly #members = new Map<string, Map<string, Member>>();

  constructor(readonly selfId: string) {}

  get userCount(): number {
    return this.#users.size;
  }

  /** Records a heartbeat; true when the server is new (its state must be fetched). */
  beat(b: Beat, now: number): boolean {
    if (b.id === this.selfId) return false;
    const known = this.servers.get(b.id);
    if (known) {
      Object.assign(known, b, { lastBeat: now });
      return !known.synced;
    }
    if (this.servers.size >= MAX_SERVERS) return false;
    this.servers.set(b.id, { ...b, lastBeat: now, synced: false });
    return true;
  }

  /** Drops servers whose heartbeats stopped; returns what they held (to tell hotlists and channels). */
  expire(now: number): Departed {
    const gone: Departed = { users: [], parts: [] };
    for (const [id, s] of this.servers) if (now - s.lastBeat > DEAD_AFTER_MS) this.#drop(id, gone);
    return gone;
  }

  /** Forgets a server and all it held; returns that. */
  dropServer(id: string): Departed {
    return this.#drop(id, { users: [], parts: [] });
  }

  /** Forgets every other server (NATS is unreachable). */
  clear(): Departed {
    const gone: Departed = { users: [], parts: [] };
    for (const id of [...this.servers.keys()]) this.#drop(id, gone);
    gone.users.push(...this.#users.values());
    this.#users.clear();
    this.#members.clear();
    return gone;
  }

  #drop(id: string, gone: Departed): Departed {
    this.servers.delete(id);
    for (const [k, u] of this.#users) {
      if (u.server !== id) continue;
      this.#users.delete(k);
      gone.users.push(u);
    }
    for (const [ck, members] of this.#members) {
      for (const [k, m] of members) {
        if (m.server !== id) continue;
        members.delete(k);
        gone.parts.push({ channel: ck, member: { nick: m.nick, shared: m.shared, speed: m.speed } });
      }
      if (members.size === 0) this.#members.delete(ck);
    }
    return gone;
  }

  /**
   * A server's full state (after it appeared); returns who is new to us, for
   * hotlists (209) and channel members (406), as OpenNap tells its users when a
   * server links (the mirror of Departed).
   */
  sync(id: string, users: RemoteUser[], channels: Array<{ name: string; members: RemoteMember[] }>): Arrived {
    const came: Arrived = { users: [], joins: [] };
    const s = this.servers.get(id);
    if (!s) return came;
    s.synced = true;
    for (const u of users) {
      if (u.server !== id) continue;
      const known = this.#users.get(u.nick.toLowerCase())?.server === id;
      if (this.signOn(u) && !known) came.users.push(u);
    }
    for (const c of channels) {
      for (const m of [...c.members].reverse()) {
        const key = m.nick.toLowerCase();
        const before = this.#members.get(c.name.toLowerCase())?.get(key)?.server === id;
        this.join(c.name, id, m);
        if (!before && this.#members.get(c.name.toLowerCase())?.get(key)?.server === id) came.joins.push({ channel: c.name, member: m });
      }
    }
    return came;
  }

  /**
   * A user on another server; false when it is ours, a server we do not know,
   * or the nick is held on a third server by the login that will stand (two
   * servers admitted it at once: they settle it alike, see decideNickClash).
   */
  signOn(u: RemoteUser): boolean {
    if (u.server === this.selfId || !this.servers.has(u.server)) return false;
    const key = u.nick.toLowerCase();
    const known = this.#users.get(key);
    if (!known && this.#users.size >= MAX_REMOTE_USERS) return false;
    if (known && known.server !== u.server && decideNickClash(loginOf(known), loginOf(u)) === 'keep') return false;
    this.#users.set(key, u);
    return true;
  }

  /** Removes a user if it is still on that server; true when it was. */
  signOff(u: RemoteUser): boolean {
    const key = u.nick.toLowerCase();
    const known = this.#users.get(key);
    if (!known || known.server !== u.server) return false;
    this.#users.delete(key);
    for (const [ck, members] of this.#members) {
      const m = members.get(key);
      if (m?.server === u.server) members.delete(key);
      if (members.size === 0) this.#members.delete(ck);
    }
    return true;
  }

  user(nick: string): RemoteUser | undefined {
    return this.#users.get(nick.toLowerCase());
  }

  users(): IterableIterator<RemoteUser> {
    return this.#users.values();
  }

  join(channel: string, server: string, m: RemoteMember): void {
    const ck = channel.toLowerCase();
    let members = this.#members.get(ck);
    if (!members) {
      if (this.#members.size >= MAX_REMOTE_MEMBERS) return;
      this.#members.set(ck, (members = new Map()));
    }
    if (members.size >= MAX_REMOTE_MEMBERS) return;
    const key = m.nick.toLowerCase();
    members.delete(key);
    members.set(key, { nick: m.nick, shared: m.shared, speed: m.speed, server });
  }

  part(channel: string, server: string, nick: string): void {
    const ck = channel.toLowerCase();
    const members = this.#members.get(ck);
    const key = nick.toLowerCase();
    if (members?.get(key)?.server !== server) return;
    members.delete(key);
    if (members.size === 0) this.#members.delete(ck);
  }

  /** Remote members of a channel, newest first. */
  members(channel: string): RemoteMember[] {
    const members = this.#members.get(channel.toLowerCase());
    if (!members) return [];
    return [...members.values()].reverse().map((m) => ({ nick: m.nick, shared: m.shared, speed: m.speed }));
  }

  totals(): NetworkTotals {
    const t = { users: 0, files: 0, bytes: 0 };
    for (const s of this.servers.values()) {
      t.users += s.users;
      t.files += s.files;
      t.bytes += s.bytes;
    }
    return t;
  }
}

const loginOf = (u: RemoteUser): ClusterLogin => ({ ip: u.ip, at: u.at ?? 0, server: u.server });
