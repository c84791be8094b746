/**
 * The chat wire messages as a tagged union (specs/chat.md "Lines").
 * Flooded kinds carry an id, hops-left, origin node id and origin timestamp;
 * link-local kinds (HELLO, PEERS, PING, PONG, AUTH, ERROR) never leave the link.
 */

/** Fields every flooded message carries. */
export interface FloodHeader {
  /** 16 random bytes as hex or base64url (plain-peer lines: a content hash). */
  id: string;
  hopsLeft: number;
  origin: string;
  /** Unix milliseconds stamped by the origin. */
  at: number;
  /** A verified (or our own) signature; travels only to extended links (signing.ts). */
  sig?: SignatureTag;
}

/** A flooded message's signature and the signer's authority (issue 14 "Signed messages"). */
export interface SignatureTag {
  /** Raw Ed25519 public key, base64url. */
  key: string;
  /** Ed25519 signature, base64url. */
  sig: string;
  /** 40-hex SHA-1 of the key. */
  authority: string;
}

export interface MsgMessage extends FloodHeader {
  type: 'MSG';
  nick: string;
  text: string;
}
export interface ActMessage extends FloodHeader {
  type: 'ACT';
  nick: string;
  text: string;
}
export interface JoinMessage extends FloodHeader {
  type: 'JOIN';
  nick: string;
}
export interface PartMessage extends FloodHeader {
  type: 'PART';
  nick: string;
  text: string;
}
export interface NickMessage extends FloodHeader {
  type: 'NICK';
  nick: string;
  newNick: string;
}

export type FloodMessage = MsgMessage | ActMessage | JoinMessage | PartMessage | NickMessage;
export type FloodType = FloodMessage['type'];

export interface HelloMessage {
  type: 'HELLO';
  node: string;
  nick: string;
  /** Our listening port, or null for `listen=-` (a node that accepts nothing). */
  listen: number | null;
  mesh: string;
  /** Present when the sender has a mesh password (spec "Mesh name and password"). */
  auth?: string;
}
export interface AuthMessage {
  type: 'AUTH';
  hmac: string;
}
export interface PeersMessage {
  type: 'PEERS';
  addresses: string[];
}
export interface PingMessage {
  type: 'PING';
  token: string;
}
export interface PongMessage {
  type: 'PONG';
  token: string;
}
export interface ErrorMessage {
  type: 'ERROR';
  reason: string;
}

/** Every protocol line (spec "Lines"). */
export type ChatWire =
  | FloodMessage
  | HelloMessage
  | AuthMessage
  | PeersMessage
  | PingMessage
  | PongMessage
  | ErrorMessage;

/** A line whose first word is no protocol verb: chat text from a plain peer. */
export interface PlainLine {
  type: 'PLAIN';
  text: string;
}

/** Verbs that are flooded (carry id and hops-left). */
export const FLOOD_TYPES: ReadonlySet<string> = new Set<FloodType>(['MSG', 'ACT', 'JOIN', 'PART', 'NICK']);

/** Whether a parsed line is one of the flooded kinds. */
export function isFlood(m: ChatWire | PlainLine): m is FloodMessage {
  return FLOOD_TYPES.has(m.type);
}
