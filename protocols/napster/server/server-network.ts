/**
 * What a Napster server asks of the network it belongs to (issue 15): on a
 * lone box nothing (LOCAL_NETWORK, the default), in a cluster the other
 * servers over NATS (cluster/cluster-node.ts). The server and its handlers
 * call these few seams; everything cross-server lives behind them.
 */
import type { Session } from './session.js';

/** A user logged in on another server of the cluster, as its server announced it. */
export interface RemoteUser {
  nick: string;
  /** The id of the server the user is on. */
  server: string;
  ip: string;
  ipNum: number;
  port: number;
  speed: number;
  shared: number;
  /** When the user logged in, on its server's clock (ms); older servers leave it out. */
  at?: number;
}

/** Users, files and bytes on the other servers (214 counts the whole network). */
export interface NetworkTotals {
  users: number;
  files: number;
  bytes: number;
}

/** A remote channel member as 406/408/825 list it: `<nick> <shared> <speed>`. */
export interface RemoteMember {
  nick: string;
  shared: number;
  speed: number;
}

/** A server cut off from its cluster (NATS unreachable), and what it knew of one user then. */
export interface CutOff {
  /** When the link went down (or, never up, when the server started), on this server's clock (ms). */
  since: number;
  /** The name of the server the user was on when the link went down, if they were on one. */
  lastServer?: string;
}

export interface ServerNetwork {
  /**
   * A logged-in command the network answers instead of this server alone
   * (a search scattered to every server, a command for a user on another
   * server); true when it took the command.
   */
  intercept(s: Session, type: number, text: string): boolean;
  /** A user online on another server. */
  remote(nick: string): RemoteUser | undefined;
  /** What the other servers hold. */
  totals(): NetworkTotals;
  /** Before a login is decided: brings the nick's account up to date from the network. */
  prepareLogin(nick: string): Promise<void>;
  /** The ghost rule across servers: the server holding this user disconnects it. */
  ghost(user: RemoteUser): void;
  signedOn(s: Session): void;
  signedOff(s: Session): void;
  channelJoined(channel: string, s: Session): void;
  channelParted(channel: string, s: Session): void;
  /** A 403 line, 824 emote or 410 topic said in a channel by a local user. */
  channelSaid(channel: string, s: Session, type: number, body: string): void;
  /** Members of a channel on other servers (newest first). */
  channelMembers(channel: string): RemoteMember[];
  /**
   * Undefined while the network is whole (or there is none); while this
   * server is cut off from its cluster, since when, and where the user was
   * then: whois says that instead of calling a remote user offline.
   */
  cutOff(nick: string): CutOff | undefined;
}

/** The network of a server that stands alone. */
export const LOCAL_NETWORK: ServerNetwork = {
  intercept: () => false,
  remote: () => undefined,
  totals: () => ({ users: 0, files: 0, bytes: 0 }),
  prepareLogin: () => Promise.resolve(),
  ghost: () => undefined,
  signedOn: () => undefined,
  signedOff: () => undefined,
  channelJoined: () => undefined,
  channelParted: () => undefined,
  channelSaid: () => undefined,
  channelMembers: () => [],
  cutOff: () => undefined,
};
