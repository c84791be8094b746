/**
 * One client connection on the server and, once logged in, its user
 * (specs/napster.md §3.2, §4): nick, link speed, data port, shares, channels,
 * hotlist, ignore list and transfer counters. Memory stays small for an idle
 * user: the share map and lists are created on first use (§11 goal: <= 16 KiB).
 */
import type { Connection } from '../../../src/net/connection.js';
import { encodeFrame, type NapFrame } from '../codec.js';
import { ipToNapster } from '../messages.js';

export type SessionState = 'new' | 'checking' | 'online' | 'gone';

/**
 * What a session uses of its link: a client's Connection, or for a user of
 * another cluster server a proxy that carries replies back (cluster/).
 */
export type SessionLink = Pick<Connection<NapFrame>, 'remoteAddress' | 'send' | 'close' | 'closed' | 'pause' | 'resume' | 'handshakeDone' | 'nick'>;

export class Session {
  state: SessionState = 'new';
  readonly ip: string;
  readonly ipNum: number;
  /** Owner id in the file index; assigned at login. */
  slot = -1;
  nick = '';
  key = '';
  port = 0;
  speed = 0;
  client = '';
  level = 0;
  loginAt = 0;
  downloads = 0;
  uploads = 0;
  muzzled = false;
  /** Shared path -> file index slot. */
  files: Map<string, number> | undefined;
  channels: string[] | undefined;
  hotlist: Set<string> | undefined;
  ignores: Set<string> | undefined;
  /** Commands counted in the current flood window. */
  floodCount = 0;
  floodWindowStart = 0;

  /** `sent` hears of every send (the server's output-queue guard, for a client's own connection). */
  constructor(
    readonly conn: SessionLink,
    readonly sent?: () => void,
  ) {
    this.ip = conn.remoteAddress;
    this.ipNum = ipToNapster(conn.remoteAddress);
  }

  get firewalled(): boolean {
    return this.port === 0;
  }

  get shared(): number {
    return this.files?.size ?? 0;
  }

  get online(): boolean {
    return this.state === 'online';
  }

  /** Queues one frame (the connection coalesces one tick's frames into one write, §11). */
  send(type: number, payload: string | Buffer = ''): void {
    this.conn.send(encodeFrame(type, payload));
    this.sent?.();
  }

  sendRaw(bytes: Buffer): void {
    this.conn.send(bytes);
    this.sent?.();
  }

  ignoring(nickKey: string): boolean {
    return this.ignores?.has(nickKey) ?? false;
  }
}
