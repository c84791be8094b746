/**
 * What the servers of a cluster say to each other over NATS (issue 15): JSON
 * bodies on subjects under `napster.<cluster>.`. Each body arrives from the
 * network, so each has a guard; a body that fails it is dropped and logged.
 */
import type { RemoteMember, RemoteUser } from '../server-network.js';

/** Every subject of one cluster. */
export interface Subjects {
  /** Heartbeat of every server (Beat), every BEAT_MS. */
  beat: string;
  /** A server leaving on purpose (Bye). */
  bye: string;
  /** Users signing on and off (UserEvent). */
  user: string;
  /** Channel joins, parts and lines (ChanEvent). */
  chan: string;
  /** Requests to one server: `cmd`, `search`, `state`, `ghost`. */
  server(id: string, what: 'cmd' | 'search' | 'state' | 'ghost'): string;
}

export function subjects(cluster: string): Subjects {
  const p = `napster.${cluster}`;
  return {
    beat: `${p}.beat`,
    bye: `${p}.bye`,
    user: `${p}.user`,
    chan: `${p}.chan`,
    server: (id, what) => `${p}.srv.${id}.${what}`,
  };
}

/** A server's heartbeat: who it is and what it holds. */
export interface Beat {
  id: string;
  name: string;
  users: number;
  files: number;
  bytes: number;
}

export interface Bye {
  id: string;
}

export interface UserEvent {
  op: 'on' | 'off';
  user: RemoteUser;
}

export interface ChanEvent {
  server: string;
  op: 'join' | 'part' | 'say';
  channel: string;
  member: RemoteMember;
  /** For `say`: the message type (403, 824 or 410) and its body. */
  type?: number;
  body?: string;
}

/** The sender of a command run on the server of its target (see proxy-session.ts). */
export interface Sender {
  server: string;
  nick: string;
  ip: string;
  port: number;
  speed: number;
  level: number;
  /** Paths among the command's arguments that the sender shares (608/619 check them). */
  shares: string[];
  /** The size of that shared file (619's answer 620 carries it); 0 when none. */
  size: number;
}

export interface CmdRequest {
  from: Sender;
  type: number;
  text: string;
}

export interface SearchRequest {
  text: string;
  firewalled: boolean;
}

export interface SearchReply {
  lines: string[];
}

/** A page of a server's users (and on page 0 its channels): a NATS message holds at most 1 MiB. */
export interface StateRequest {
  page: number;
}

export interface StateReply {
  users: RemoteUser[];
  channels: Array<{ name: string; members: RemoteMember[] }>;
  /** More pages follow. */
  more: boolean;
}

/** Users per state page (~120 bytes each as JSON). */
export const STATE_PAGE_USERS = 5_000;
/** Channels listed on page 0 (the rest are learnt from later joins). */
export const STATE_CHANNELS_MAX = 1_000;

export interface GhostRequest {
  nick: string;
  by: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max = 2048): v is string => typeof v === 'string' && v.length <= max;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** A server id: what it uses in subjects. */
export const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function isBeat(v: unknown): v is Beat {
  return isObj(v) && isStr(v.id) && ID_RE.test(v.id) && isStr(v.name, 128) && isNum(v.users) && isNum(v.files) && isNum(v.bytes);
}

export function isBye(v: unknown): v is Bye {
  return isObj(v) && isStr(v.id) && ID_RE.test(v.id);
}

export function isRemoteUser(v: unknown): v is RemoteUser {
  return (
    isObj(v) && isStr(v.nick, 64) && isStr(v.server) && ID_RE.test(v.server) && isStr(v.ip, 64) &&
    isNum(v.ipNum) && isNum(v.port) && isNum(v.speed) && isNum(v.shared) && (v.at === undefined || isNum(v.at))
  );
}

export function isRemoteMember(v: unknown): v is RemoteMember {
  return isObj(v) && isStr(v.nick, 64) && isNum(v.shared) && isNum(v.speed);
}

export function isUserEvent(v: unknown): v is UserEvent {
  return isObj(v) && (v.op === 'on' || v.op === 'off') && isRemoteUser(v.user);
}

export function isChanEvent(v: unknown): v is ChanEvent {
  return (
    isObj(v) && isStr(v.server) && ID_RE.test(v.server) && (v.op === 'join' || v.op === 'part' || v.op === 'say') &&
    isStr(v.channel, 128) && isRemoteMember(v.member) &&
    (v.op !== 'say' || (isNum(v.type) && isStr(v.body)))
  );
}

export function isCmdRequest(v: unknown): v is CmdRequest {
  if (!isObj(v) || !isNum(v.type) || !isStr(v.text) || !isObj(v.from)) return false;
  const f = v.from;
  return (
    isStr(f.server) && isStr(f.nick, 64) && isStr(f.ip, 64) && isNum(f.port) && isNum(f.speed) && isNum(f.level) && isNum(f.size) &&
    Array.isArray(f.shares) && f.shares.length <= 4 && f.shares.every((p) => isStr(p))
  );
}

export function isSearchRequest(v: unknown): v is SearchRequest {
  return isObj(v) && isStr(v.text) && typeof v.firewalled === 'boolean';
}

export function isSearchReply(v: unknown): v is SearchReply {
  return isObj(v) && Array.isArray(v.lines) && v.lines.length <= 100 && v.lines.every((l) => isStr(l));
}

export function isStateRequest(v: unknown): v is StateRequest {
  return isObj(v) && isNum(v.page) && Number.isInteger(v.page);
}

export function isStateReply(v: unknown): v is StateReply {
  return (
    isObj(v) && typeof v.more === 'boolean' && Array.isArray(v.users) && v.users.length <= STATE_PAGE_USERS && v.users.every(isRemoteUser) &&
    Array.isArray(v.channels) && v.channels.length <= STATE_CHANNELS_MAX &&
    v.channels.every((c: unknown) => isObj(c) && isStr(c.name, 128) && Array.isArray(c.members) && c.members.every(isRemoteMember))
  );
}

export function isGhostRequest(v: unknown): v is GhostRequest {
  return isObj(v) && isStr(v.nick, 64) && isStr(v.by, 128);
}

/** Parses a JSON body; undefined for anything that is not JSON. */
export function parseBody(data: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
