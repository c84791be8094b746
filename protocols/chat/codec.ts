/**
 * The chat line codec (specs/chat.md "Lines"): one message per `\n`-terminated
 * UTF-8 line. `parseLine` is pure and total: it returns a message, a PlainLine
 * when the first word is no protocol verb, or throws a NetError for a protocol
 * line that is malformed. Framing and the line-length limit are the LineDecoder's job.
 */
import { NetError } from '../../src/errors.js';
import { parseHostPort } from '../../src/net/address.js';
import { CHAT_VERSION, MAX_NODE_ID_LENGTH, MAX_PEERS_PER_LINE, MAX_TOKEN_LENGTH, MAX_WIRE_HOPS } from './constants.js';
import type { ChatWire, FloodHeader, FloodMessage, HelloMessage, PlainLine } from './messages.js';
import { isMeshName, isNick, stripControls } from './text.js';

const ID_RE = /^[A-Za-z0-9_-]{8,64}$/;
const NODE_RE = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_NODE_ID_LENGTH}}$`);
const TOKEN_RE = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_TOKEN_LENGTH}}$`);
const HOPS_RE = /^[0-9]{1,3}$/;
const AT_RE = /^[0-9]{1,15}$/;
const HMAC_RE = /^[0-9a-f]{64}$/;
const NONCE_RE = /^[0-9a-f]{32,128}$/;
const PORT_RE = /^[0-9]{1,5}$/;
/** Most `key=value` fields a HELLO may carry (unknown keys are ignored, not stored). */
const MAX_HELLO_FIELDS = 16;

const VERBS = new Set(['HELLO', 'MSG', 'ACT', 'JOIN', 'PART', 'NICK', 'PEERS', 'PING', 'PONG', 'AUTH', 'ERROR']);

/** Whether a line starts with a protocol verb (as opposed to plain chat text). */
export function isProtocolLine(line: string): boolean {
  const sp = line.indexOf(' ');
  return VERBS.has(sp === -1 ? line : line.slice(0, sp));
}

/** Splits off `count` space-separated tokens; `tail` is what follows the last one's space. */
function split(rest: string, count: number): { tokens: string[]; tail: string | undefined } {
  const tokens: string[] = [];
  let tail: string | undefined = rest;
  while (tokens.length < count && tail !== undefined) {
    const sp: number = tail.indexOf(' ');
    if (sp === -1) {
      tokens.push(tail);
      tail = undefined;
    } else {
      tokens.push(tail.slice(0, sp));
      tail = tail.slice(sp + 1);
    }
  }
  return { tokens, tail };
}

function bad(verb: string, what: string): NetError {
  return NetError.badMessage(`${verb}: ${what}`);
}

function header(verb: string, t: string[]): FloodHeader {
  const [id, hops, origin, at] = t;
  if (id === undefined || !ID_RE.test(id)) throw bad(verb, 'bad message id');
  if (hops === undefined || !HOPS_RE.test(hops) || Number(hops) > MAX_WIRE_HOPS) throw bad(verb, 'bad hops-left');
  if (origin === undefined || !NODE_RE.test(origin)) throw bad(verb, 'bad origin node id');
  if (at === undefined || !AT_RE.test(at)) throw bad(verb, 'bad timestamp');
  return { id, hopsLeft: Number(hops), origin, at: Number(at) };
}

function nickAt(verb: string, t: string[], i: number): string {
  const n = t[i];
  if (n === undefined || !isNick(n)) throw bad(verb, 'bad nick');
  return n;
}

function textOf(verb: string, tail: string | undefined): string {
  if (tail === undefined || !tail.startsWith(':')) throw bad(verb, 'missing " :" before the text');
  return stripControls(tail.slice(1));
}

function noTail(verb: string, tail: string | undefined): void {
  if (tail !== undefined) throw bad(verb, 'unexpected trailing fields');
}

function parseFlood(verb: FloodMessage['type'], rest: string): FloodMessage {
  switch (verb) {
    case 'MSG':
    case 'ACT':
    case 'PART': {
      const { tokens, tail } = split(rest, 5);
      return { type: verb, ...header(verb, tokens), nick: nickAt(verb, tokens, 4), text: textOf(verb, tail) };
    }
    case 'JOIN': {
      const { tokens, tail } = split(rest, 5);
      noTail(verb, tail);
      return { type: verb, ...header(verb, tokens), nick: nickAt(verb, tokens, 4) };
    }
    case 'NICK': {
      const { tokens, tail } = split(rest, 6);
      noTail(verb, tail);
      return { type: verb, ...header(verb, tokens), nick: nickAt(verb, tokens, 4), newNick: nickAt(verb, tokens, 5) };
    }
  }
}

/** Parses the fields after `HELLO ` (spec "Lines"). Exported for fuzzing. */
export function parseHello(rest: string): HelloMessage {
  const parts = rest.split(' ');
  if (parts[0] !== CHAT_VERSION) throw NetError.protocol(`HELLO: unsupported version ${JSON.stringify((parts[0] ?? '').slice(0, 32))}`);
  if (parts.length - 1 > MAX_HELLO_FIELDS) throw bad('HELLO', 'too many fields');
  const fields = new Map<string, string>();
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw bad('HELLO', 'field is not key=value');
    const key = p.slice(0, eq);
    if (fields.has(key)) throw bad('HELLO', `duplicate field ${key.slice(0, 16)}`);
    fields.set(key, p.slice(eq + 1));
  }
  const node = fields.get('node');
  const nick = fields.get('nick');
  const listen = fields.get('listen');
  const mesh = fields.get('mesh');
  const auth = fields.get('auth');
  if (node === undefined || !NODE_RE.test(node)) throw bad('HELLO', 'bad node id');
  if (nick === undefined || !isNick(nick)) throw bad('HELLO', 'bad nick');
  if (mesh === undefined || !isMeshName(mesh)) throw bad('HELLO', 'bad mesh name');
  let port: number | null = null;
  if (listen !== '-') {
    if (listen === undefined || !PORT_RE.test(listen) || Number(listen) < 1 || Number(listen) > 65535) {
      throw bad('HELLO', 'bad listen port');
    }
    port = Number(listen);
  }
  const hello: HelloMessage = { type: 'HELLO', node, nick, listen: port, mesh };
  if (auth !== undefined) {
    if (!NONCE_RE.test(auth)) throw bad('HELLO', 'bad auth nonce');
    hello.auth = auth;
  }
  return hello;
}

/** Parses one line (without its terminator). Throws NetError on a malformed protocol line. */
export function parseLine(line: string): ChatWire | PlainLine {
  const sp = line.indexOf(' ');
  const verb = sp === -1 ? line : line.slice(0, sp);
  const rest = sp === -1 ? '' : line.slice(sp + 1);
  switch (verb) {
    case 'MSG':
    case 'ACT':
    case 'JOIN':
    case 'PART':
    case 'NICK':
      return parseFlood(verb, rest);
    case 'HELLO':
      return parseHello(rest);
    case 'AUTH':
      if (!HMAC_RE.test(rest)) throw bad(verb, 'bad hmac');
      return { type: 'AUTH', hmac: rest };
    case 'PING':
    case 'PONG':
      if (!TOKEN_RE.test(rest)) throw bad(verb, 'bad token');
      return { type: verb, token: rest };
    case 'PEERS': {
      const addresses = rest === '' ? [] : rest.split(' ');
      if (addresses.length > MAX_PEERS_PER_LINE) throw bad(verb, 'too many addresses');
      for (const a of addresses) if (parseHostPort(a) === undefined) throw bad(verb, 'bad address');
      return { type: 'PEERS', addresses };
    }
    case 'ERROR':
      return { type: 'ERROR', reason: stripControls(rest.startsWith(':') ? rest.slice(1) : rest) };
    default:
      return { type: 'PLAIN', text: stripControls(line) };
  }
}

/** Encodes a message as one line without the terminator. Text fields are sanitized. */
export function encode(m: ChatWire): string {
  switch (m.type) {
    case 'MSG':
    case 'ACT':
    case 'PART':
      return `${m.type} ${m.id} ${m.hopsLeft} ${m.origin} ${m.at} ${m.nick} :${stripControls(m.text)}`;
    case 'JOIN':
      return `JOIN ${m.id} ${m.hopsLeft} ${m.origin} ${m.at} ${m.nick}`;
    case 'NICK':
      return `NICK ${m.id} ${m.hopsLeft} ${m.origin} ${m.at} ${m.nick} ${m.newNick}`;
    case 'HELLO': {
      const listen = m.listen === null ? '-' : String(m.listen);
      const auth = m.auth === undefined ? '' : ` auth=${m.auth}`;
      return `HELLO ${CHAT_VERSION} node=${m.node} nick=${m.nick} listen=${listen} mesh=${m.mesh}${auth}`;
    }
    case 'AUTH':
      return `AUTH ${m.hmac}`;
    case 'PEERS':
      return m.addresses.length === 0 ? 'PEERS' : `PEERS ${m.addresses.join(' ')}`;
    case 'PING':
    case 'PONG':
      return `${m.type} ${m.token}`;
    case 'ERROR':
      return `ERROR :${stripControls(m.reason)}`;
  }
}

/** encode() plus the `\n` terminator. */
export function encodeLine(m: ChatWire): string {
  return `${encode(m)}\n`;
}
