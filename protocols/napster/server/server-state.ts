/**
 * What every server handler works on (specs/napster.md §4): the online users
 * by nick and by index slot, the file index, channels, hotlist watchers, the
 * account store and the configuration. The NapsterServer class owns sockets
 * and timers; handlers only read and change this state and queue frames.
 */
import type { Clock } from '../../../src/clock.js';
import type { Logger } from '../../../src/log.js';
import { FrameBatch } from '../codec.js';
import {
  LEVEL_USER,
  MSG_DISCONNECTING,
  MSG_GHOST,
  MSG_NOTICE,
  MSG_MOTD,
  MSG_HOTLIST_SIGNOFF,
  MSG_HOTLIST_SIGNON,
  MSG_PART_NOTICE,
  MSG_SERVER_STATS,
} from '../constants.js';
import type { AccountStore } from './account-store.js';
import { ChannelRegistry } from './channels.js';
import { FileIndex } from './file-index.js';
import { LOCAL_NETWORK, type ServerNetwork } from './server-network.js';
import type { Session } from './session.js';

/** The server's settings (see options.ts for flags and defaults). */
export interface ServerConfig {
  /** The name in 3 (`anon@<name>`), MOTD, 404 notices and 750. */
  name: string;
  version: string;
  /** Lines of the MOTD file. */
  motd: string[];
  registeredOnly: boolean;
  autoRegister: boolean;
  maxConnections: number;
  /** Connections per IP; 0 = unlimited. */
  maxClones: number;
  loginTimeoutMs: number;
  statsIntervalMs: number;
  /** Non-exempt commands allowed per flood window; 0 = no flood control. */
  floodCommands: number;
  floodWindowMs: number;
  maxShares: number;
}

/** Messages that are notices to the user (404 with text), kept in one place (§7). */
export const ERR_UNPARSABLE = 'parameters are unparsable';
export const ERR_NOT_ONLINE = 'User is not currently online.';
export const ERR_PERMISSION = 'permission denied';

export class ServerState {
  readonly users = new Map<string, Session>();
  readonly #bySlot: Array<Session | undefined> = [];
  readonly #freeSlots: number[] = [];
  readonly index = new FileIndex();
  readonly channels = new ChannelRegistry();
  /** Nick key -> sessions whose hotlist holds it. */
  readonly watchers = new Map<string, Set<Session>>();
  /** Connections accepted since start (the MOTD's "There have been N connections"). */
  connections = 0;
  searches = 0;
  /** The other servers of a cluster (issue 15); none by default. */
  network: ServerNetwork = LOCAL_NETWORK;

  constructor(
    readonly cfg: ServerConfig,
    readonly accounts: AccountStore,
    readonly clock: Clock,
    readonly log: Logger,
  ) {}

  online(nick: string): Session | undefined {
    return this.users.get(nick.toLowerCase());
  }

  bySlot(slot: number): Session | undefined {
    return this.#bySlot[slot];
  }

  /** Puts a logged-in session in the tables. */
  attach(s: Session): void {
    const slot = this.#freeSlots.pop() ?? this.#bySlot.length;
    this.#bySlot[slot] = s;
    s.slot = slot;
    this.users.set(s.key, s);
  }

  /**
   * Rule 7 (§3.2): someone logged in with `s`'s nick from its address, on
   * server `by`. The old session gets 748, the notice and 316, and goes.
   */
  ghost(s: Session, by: string, why: string): void {
    s.sendRaw(
      new FrameBatch()
        .add(MSG_GHOST)
        .add(MSG_NOTICE, `You were killed by server ${by}: Someone else is logging in as you, disconnecting.`)
        .add(MSG_DISCONNECTING, '0')
        .toBuffer(),
    );
    this.detach(s);
    s.conn.close(why);
  }

  /** Takes a session out of every table and tells who needs to know (407, 210). */
  detach(s: Session): void {
    if (this.users.get(s.key) === s) this.users.delete(s.key);
    if (s.files) {
      for (const slot of s.files.values()) this.index.remove(slot);
      s.files = undefined;
    }
    for (const key of s.channels ?? []) {
      const ch = this.channels.get(key);
      if (!ch) continue;
      this.channels.leave(ch, s);
      for (const m of ch.members) m.send(MSG_PART_NOTICE, `${ch.name} ${s.nick} ${s.shared} ${s.speed}`);
      this.network.channelParted(ch.name, s);
    }
    s.channels = undefined;
    for (const key of s.hotlist ?? []) this.watchers.get(key)?.delete(s);
    s.hotlist = undefined;
    if (s.slot >= 0) {
      this.#bySlot[s.slot] = undefined;
      this.#freeSlots.push(s.slot);
    }
    for (const w of this.watchers.get(s.key) ?? []) w.send(MSG_HOTLIST_SIGNOFF, s.nick);
    this.network.signedOff(s);
    this.accounts.update(s.nick, { lastSeen: Math.floor(this.clock.now() / 1000) });
    s.state = 'gone';
  }

  /** Tells everyone watching this nick that it came online (209). */
  announceSignOn(s: Session): void {
    for (const w of this.watchers.get(s.key) ?? []) w.send(MSG_HOTLIST_SIGNON, `${s.nick} ${s.speed}`);
    this.network.signedOn(s);
  }

  /** `<users> <files> <gigabytes>` (214), over every server of a cluster. */
  stats(): string {
    const net = this.network.totals();
    const gigs = Math.floor((this.index.totalBytes + net.bytes) / 1024 ** 3);
    return `${this.users.size + net.users} ${this.index.size + net.files} ${gigs}`;
  }

  /** The MOTD frames: version, server, connection count, then the file's lines (§3.2). */
  motd(batch: FrameBatch = new FrameBatch()): FrameBatch {
    batch.add(MSG_MOTD, `VERSION ${this.cfg.version}`);
    batch.add(MSG_MOTD, `SERVER ${this.cfg.name}`);
    batch.add(MSG_MOTD, `There have been ${this.connections} connections to this server.`);
    for (const line of this.cfg.motd) batch.add(MSG_MOTD, line);
    return batch;
  }

  sendStats(s: Session): void {
    s.send(MSG_SERVER_STATS, this.stats());
  }

  notice(s: Session, text: string): void {
    s.send(MSG_NOTICE, text);
  }

  levelOf(nick: string): number {
    return this.accounts.get(nick)?.level ?? LEVEL_USER;
  }
}
