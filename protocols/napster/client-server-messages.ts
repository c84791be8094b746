import * as W from './constants.js';
import { payloadText, type NapFrame } from './codec.js';
import { fromWire, ipField, splitFields, strictInt } from './messages.js';

/** A file as 201 (search) and 212 (browse) describe it (§5, §4.1). */
export interface NapFile {
  /** The holder's path, exactly as on the wire (needed verbatim in 203/500/GET). */
  wirePath: string;
  md5: string;
  size: number;
  bitrate: number;
  freq: number;
  seconds: number;
}

/** A download or push target (204 / 501, §6.1). */
export interface NapPeerAddress {
  nick: string;
  ip: string;
  port: number;
  wirePath: string;
  md5: string;
  speed: number;
}

/**
 * Every server frame the client acts on, typed (§4.2). Frames we only show
 * become `text` (with their type); frames that do not parse become
 * `malformed` with the reason, and are logged, never trusted.
 */
export type ServerMessage =
  | { kind: 'login-error'; reason: string }
  | { kind: 'login-ack'; email: string }
  | { kind: 'nick-free' }
  | { kind: 'nick-registered' }
  | { kind: 'nick-invalid'; text: string }
  | { kind: 'motd'; line: string }
  | { kind: 'stats'; users: number; files: number; gigabytes: number }
  | { kind: 'search-result'; file: NapFile; nick: string; ip: string; speed: number }
  | { kind: 'search-end' }
  | { kind: 'browse-entry'; nick: string; file: NapFile }
  | { kind: 'browse-end'; nick: string; ip: string }
  | { kind: 'download-ack'; peer: NapPeerAddress }
  | { kind: 'download-error'; nick: string; wirePath: string }
  | { kind: 'push-request'; peer: NapPeerAddress }
  | { kind: 'upload-request'; nick: string; wirePath: string }
  | { kind: 'queue-limit'; nick: string; wirePath: string; size: number; limit: number }
  | { kind: 'data-port-error'; nick: string }
  | { kind: 'privmsg'; from: string; text: string }
  | { kind: 'hotlist-signon'; nick: string; speed: number }
  | { kind: 'hotlist-signoff'; nick: string }
  | { kind: 'hotlist-ack'; nick: string }
  /** §4.1 320-326: the server's answers about our ignore list. */
  | { kind: 'ignore'; event: 'entry' | 'added' | 'removed' | 'not-ignored' | 'already'; nick: string }
  | { kind: 'ignore-count'; event: 'list' | 'cleared'; count: number }
  | { kind: 'notice'; text: string }
  | { kind: 'channel-joined'; channel: string }
  | { kind: 'channel-parted'; channel: string }
  | { kind: 'channel-user'; event: 'member' | 'join' | 'part' | 'names'; channel: string; nick: string; shared: number; speed: number }
  | { kind: 'channel-users-end'; channel: string }
  | { kind: 'channel-message'; channel: string; nick: string; text: string }
  | { kind: 'channel-emote'; channel: string; nick: string; text: string }
  | { kind: 'topic'; channel: string; topic: string }
  | { kind: 'channel-entry'; channel: string; users: number; topic: string }
  | { kind: 'list-end' }
  | { kind: 'names-end'; channel: string }
  /** 604/605; `client` is the 604's client string (TekNap's resume quirk depends on it, §6.3). */
  | { kind: 'whois'; nick: string; level: string; online: boolean; text: string; client: string }
  | { kind: 'ghost' }
  | { kind: 'disconnecting' }
  | { kind: 'ping'; nick: string; args: string }
  /** 640 (§4.1): `nick` wants our list; `ip`/`port` are theirs when we are firewalled (we push it). */
  | { kind: 'direct-browse-request'; nick: string; ip?: string; port?: number }
  /** 641: `nick` accepted our direct browse; its data port. */
  | { kind: 'direct-browse-accept'; nick: string; ip: string; port: number }
  /** 642: the server says `nick` cannot be browsed directly. */
  | { kind: 'direct-browse-error'; nick: string; text: string }
  | { kind: 'text'; type: number; text: string }
  | { kind: 'malformed'; type: number; reason: string };

/** A decimal field, or undefined when absent or not a plain non-negative integer. */
function intField(s: string | undefined): number | undefined {
  return s === undefined ? undefined : strictInt(s);
}

function file(f: string[], at: number): NapFile | undefined {
  const size = intField(f[at + 2]);
  if (f[at] === undefined || f[at + 1] === undefined || size === undefined) return undefined;
  return {
    wirePath: f[at]!,
    md5: f[at + 1]!,
    size,
    bitrate: intField(f[at + 3]) ?? 0,
    freq: intField(f[at + 4]) ?? 0,
    seconds: intField(f[at + 5]) ?? 0,
  };
}

function peer(f: string[]): NapPeerAddress | undefined {
  const ip = ipField(f[1]);
  const port = intField(f[2]);
  if (f.length < 4 || ip === undefined || port === undefined || port > 65535) return undefined;
  return { nick: f[0]!, ip, port, wirePath: f[3]!, md5: f[4] ?? '', speed: intField(f[5]) ?? 0 };
}

/** `<first> <rest of payload>`, for frames whose tail is free text (205, 403, 404 relays). */
function headAndRest(text: string, heads: number): string[] | undefined {
  const out: string[] = [];
  let rest = text;
  for (let i = 0; i < heads; i++) {
    const sp = rest.indexOf(' ');
    if (sp <= 0) return undefined;
    out.push(rest.slice(0, sp));
    rest = rest.slice(sp + 1);
  }
  out.push(rest);
  return out;
}

/** Decodes one server frame (§4.2). Never throws: a bad frame is `malformed`. */
export function parseServerFrame(frame: NapFrame): ServerMessage {
  const type = frame.type;
  const text = payloadText(frame);
  const bad = (reason: string): ServerMessage => ({ kind: 'malformed', type, reason });
  const fields = (): string[] | undefined => splitFields(text);
  switch (type) {
    case W.MSG_ERROR:
      return { kind: 'login-error', reason: fromWire(text) };
    case W.MSG_LOGIN_ACK:
      return { kind: 'login-ack', email: fromWire(fields()?.[0] ?? text) };
    case W.MSG_NICK_FREE:
      return { kind: 'nick-free' };
    case W.MSG_NICK_REGISTERED:
      return { kind: 'nick-registered' };
    case W.MSG_NICK_INVALID:
      return { kind: 'nick-invalid', text: fromWire(text) };
    case W.MSG_MOTD:
      return { kind: 'motd', line: fromWire(text) };
    case W.MSG_SERVER_STATS: {
      const f = fields() ?? [];
      return { kind: 'stats', users: intField(f[0]) ?? 0, files: intField(f[1]) ?? 0, gigabytes: Number(f[2]) || 0 };
    }
    case W.MSG_SEARCH_RESULT: {
      const f = fields();
      if (!f || f.length < 9) return bad('201 needs 9 fields');
      const nf = file(f, 0);
      const ip = ipField(f[7]);
      if (!nf || ip === undefined) return bad('201 size or address not a number');
      return { kind: 'search-result', file: nf, nick: f[6]!, ip, speed: intField(f[8]) ?? 0 };
    }
    case W.MSG_SEARCH_END:
      return { kind: 'search-end' };
    case W.MSG_BROWSE_RESULT: {
      const f = fields();
      const nf = f && f.length >= 4 ? file(f, 1) : undefined;
      if (!f || !nf) return bad('212 needs nick and a file');
      return { kind: 'browse-entry', nick: f[0]!, file: nf };
    }
    case W.MSG_BROWSE_END: {
      const f = fields() ?? [];
      if (f[0] === undefined) return bad('213 without a nick');
      return { kind: 'browse-end', nick: f[0], ip: ipField(f[1]) ?? '0.0.0.0' };
    }
    case W.MSG_DOWNLOAD_ACK:
    case W.MSG_PUSH_ACK: {
      const f = fields();
      const p = f && peer(f);
      if (!p) return bad(`${type} needs nick, ip, port and path`);
      return type === W.MSG_DOWNLOAD_ACK ? { kind: 'download-ack', peer: p } : { kind: 'push-request', peer: p };
    }
    case W.MSG_GET_ERROR:
    case W.MSG_UPLOAD_REQUEST: {
      const f = fields();
      if (!f || f.length < 2) return bad(`${type} needs nick and path`);
      return type === W.MSG_GET_ERROR
        ? { kind: 'download-error', nick: f[0]!, wirePath: f[1]! }
        : { kind: 'upload-request', nick: f[0]!, wirePath: f[1]! };
    }
    case W.MSG_QUEUE_LIMIT_NOTICE: {
      const f = fields();
      if (!f || f.length < 4) return bad('620 needs 4 fields');
      return { kind: 'queue-limit', nick: f[0]!, wirePath: f[1]!, size: intField(f[2]) ?? 0, limit: intField(f[3]) ?? 0 };
    }
    case W.MSG_DATA_PORT_ERROR:
      return { kind: 'data-port-error', nick: text.trim() };
    case W.MSG_PRIVMSG: {
      const p = headAndRest(text, 1);
      if (!p) return bad('205 needs a sender');
      return { kind: 'privmsg', from: p[0]!, text: fromWire(p[1]!) };
    }
    case W.MSG_HOTLIST_SIGNON: {
      const f = fields() ?? [];
      if (!f[0]) return bad('209 without a nick');
      return { kind: 'hotlist-signon', nick: f[0], speed: intField(f[1]) ?? 0 };
    }
    case W.MSG_HOTLIST_SIGNOFF:
      return text.trim() ? { kind: 'hotlist-signoff', nick: text.trim() } : bad('210 without a nick');
    case W.MSG_HOTLIST_ACK:
      return { kind: 'hotlist-ack', nick: text.trim() };
    case W.MSG_IGNORE_ENTRY:
    case W.MSG_IGNORE_ADD:
    case W.MSG_IGNORE_REMOVE:
    case W.MSG_IGNORE_NOT:
    case W.MSG_IGNORE_ALREADY: {
      const nick = text.trim();
      if (!nick) return bad(`${type} without a nick`);
      const event = ({ [W.MSG_IGNORE_ENTRY]: 'entry', [W.MSG_IGNORE_ADD]: 'added', [W.MSG_IGNORE_REMOVE]: 'removed', [W.MSG_IGNORE_NOT]: 'not-ignored', [W.MSG_IGNORE_ALREADY]: 'already' } as const)[type];
      return { kind: 'ignore', event, nick };
    }
    case W.MSG_IGNORE_LIST:
    case W.MSG_IGNORE_CLEAR:
      return { kind: 'ignore-count', event: type === W.MSG_IGNORE_LIST ? 'list' : 'cleared', count: intField(text.trim()) ?? 0 };
    case W.MSG_NOTICE:
      return { kind: 'notice', text: fromWire(text) };
    case W.MSG_JOIN_ACK:
      return { kind: 'channel-joined', channel: text.trim() };
    case W.MSG_PART:
      return { kind: 'channel-parted', channel: text.trim() };
    case W.MSG_JOIN_NOTICE:
    case W.MSG_PART_NOTICE:
    case W.MSG_CHANNEL_USER:
    case W.MSG_NAMES_ENTRY: {
      const f = fields();
      if (!f || f.length < 2) return bad(`${type} needs channel and nick`);
      const event = type === W.MSG_JOIN_NOTICE ? 'join' : type === W.MSG_PART_NOTICE ? 'part' : type === W.MSG_CHANNEL_USER ? 'member' : 'names';
      return { kind: 'channel-user', event, channel: f[0]!, nick: f[1]!, shared: intField(f[2]) ?? 0, speed: intField(f[3]) ?? 0 };
    }
    case W.MSG_CHANNEL_USERS_END:
      return { kind: 'channel-users-end', channel: text.trim() };
    case W.MSG_PUBLIC_MSG: {
      const p = headAndRest(text, 2);
      if (!p) return bad('403 needs channel and nick');
      return { kind: 'channel-message', channel: p[0]!, nick: p[1]!, text: fromWire(p[2]!) };
    }
    case W.MSG_EMOTE: {
      const p = headAndRest(text, 2);
      if (!p) return bad('824 needs channel and nick');
      return { kind: 'channel-emote', channel: p[0]!, nick: p[1]!, text: fromWire(p[2]!.replace(/^"|"$/g, '')) };
    }
    case W.MSG_TOPIC: {
      const p = headAndRest(text, 1);
      return p ? { kind: 'topic', channel: p[0]!, topic: fromWire(p[1]!) } : { kind: 'topic', channel: text.trim(), topic: '' };
    }
    case W.MSG_CHANNEL_LIST_END:
      return { kind: 'list-end' };
    case W.MSG_CHANNEL_LIST_ENTRY: {
      const p = headAndRest(text, 2);
      if (!p) return bad('618 needs channel and users');
      return { kind: 'channel-entry', channel: p[0]!, users: intField(p[1]) ?? 0, topic: fromWire(p[2]!) };
    }
    case W.MSG_NAMES:
      return { kind: 'names-end', channel: text.trim() };
    case W.MSG_WHOIS_REPLY:
    case W.MSG_WHOWAS: {
      const f = fields();
      if (!f || f.length < 2) return bad(`${type} needs nick and level`);
      return { kind: 'whois', nick: f[0]!, level: f[1]!, online: type === W.MSG_WHOIS_REPLY, text: fromWire(text), client: type === W.MSG_WHOIS_REPLY ? fromWire(f[9] ?? '') : '' };
    }
    case W.MSG_GHOST:
      return { kind: 'ghost' };
    case W.MSG_DISCONNECTING:
      return { kind: 'disconnecting' };
    case W.MSG_PING: {
      const p = headAndRest(text, 1);
      return { kind: 'ping', nick: p ? p[0]! : text.trim(), args: p ? p[1]! : '' };
    }
    case W.MSG_DIRECT_BROWSE: {
      const f = fields();
      if (!f?.[0]) return bad('640 without a nick');
      if (f.length < 3) return { kind: 'direct-browse-request', nick: f[0] };
      const ip = ipField(f[1]);
      const port = intField(f[2]);
      if (ip === undefined || port === undefined || port > 65535) return bad('640 address or port not a number');
      return { kind: 'direct-browse-request', nick: f[0], ip, port };
    }
    case W.MSG_DIRECT_BROWSE_ACCEPT: {
      const f = fields();
      const ip = ipField(f?.[1]);
      const port = intField(f?.[2]);
      if (!f?.[0] || ip === undefined || port === undefined || port > 65535) return bad('641 needs nick, ip and port');
      return { kind: 'direct-browse-accept', nick: f[0], ip, port };
    }
    case W.MSG_DIRECT_BROWSE_ERROR: {
      const p = headAndRest(text, 1);
      if (!p) return bad('642 without a nick');
      return { kind: 'direct-browse-error', nick: p[0]!, text: fromWire(p[1]!.replace(/^"|"$/g, '')) };
    }
    default:
      return { kind: 'text', type, text: fromWire(text) };
  }
}
