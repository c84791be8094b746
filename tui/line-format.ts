/**
 * How each kind of event reads as a line in a tab, irssi-style:
 * `HH:MM <nick> text`, `HH:MM  * nick waves`, `HH:MM --> nick joined`.
 * Remote text is sanitised here, before it can reach the terminal.
 */
import type { EventOf, LogLevel } from '../src/app-api.js';
import { reasonWords } from '../src/error-words.js';
import { formatClock } from './format.js';
import { nickColor } from './nick-color.js';
import { span, type Span, type Style } from './styled-text.js';
import { sanitize, strWidth } from './text-width.js';

/** One logical line of a tab; wrapped into rows only when drawn. */
export interface Line {
  readonly spans: readonly Span[];
  /** Hanging indent for continuation rows (columns). */
  readonly indent: number;
  /** Wrapped rows for the last width they were drawn at. */
  wrapCache?: { width: number; rows: Span[][] };
}

/** Styles of the parts of a line (timestamps, our own notices, errors, mentions). */
export const STYLE_TIME: Style = { fg: 'gray' };
export const STYLE_INFO: Style = { fg: 'cyan' };
export const STYLE_ERROR: Style = { fg: 'red', bold: true };
export const STYLE_MENTION: Style = { fg: 'yellow', bold: true };
/** The mark of a line whose signature was verified (chat `--sign`). */
export const STYLE_SIGNED: Style = { fg: 'green' };
/** Hex digits of a signer's authority shown in its mark. */
const SIGNED_MARK_HEX = 8;

function makeLine(prefix: Span[], body: Span[]): Line {
  const indent = prefix.reduce((w, s) => w + strWidth(s.text), 0);
  return { spans: [...prefix, ...body], indent };
}

let mentionCache: { nick: string; re: RegExp } | undefined;

/** Does `text` mention `nick` as a word (case-insensitive)? */
export function mentions(text: string, nick: string): boolean {
  if (!nick) return false;
  if (mentionCache?.nick !== nick) {
    const escaped = nick.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    mentionCache = { nick, re: new RegExp(`(^|[^\\p{L}\\p{N}_])${escaped}($|[^\\p{L}\\p{N}_])`, 'iu') };
  }
  return mentionCache.re.test(text);
}

/** A chat line as shown, and whether it mentions us (highlight, bell, strongest unread marker). */
export function chatLine(e: EventOf<'chat.line'>, myNick: string): { line: Line; mention: boolean } {
  const clock = span(`${formatClock(e.at)} `, STYLE_TIME);
  // A verified signature: `✓` and the start of the signer's authority, before the nick.
  const signer = e.signedBy === undefined ? undefined : e.contact ? sanitize(e.signedBy) : sanitize(e.signedBy).slice(0, SIGNED_MARK_HEX);
  const head = signer !== undefined ? [clock, span(`✓${signer} `, e.contact ? { ...STYLE_SIGNED, bold: true } : STYLE_SIGNED)] : [clock];
  const nick = sanitize(e.nick);
  const text = sanitize(e.text);
  const nickStyle: Style = e.self ? { fg: nickColor(nick), bold: true } : { fg: nickColor(nick) };
  const mention = !e.self && (e.kind === 'msg' || e.kind === 'action') && mentions(text, myNick);
  const bodyStyle = mention ? STYLE_MENTION : undefined;
  switch (e.kind) {
    case 'msg':
      return { line: makeLine([...head, span('<'), span(nick, nickStyle), span('> ')], [span(text, bodyStyle)]), mention };
    case 'action':
      return { line: makeLine([...head, span(' * ', STYLE_INFO), span(nick, nickStyle), span(' ')], [span(text, bodyStyle)]), mention };
    case 'join':
      // Our own JOIN (sent with our first link) is said as ours: `--> alice joined` on alice's screen read as someone else.
      if (e.self) return { line: makeLine([...head, span('--> ', { fg: 'green' })], [span('you joined the mesh as ', STYLE_INFO), span(nick, nickStyle)]), mention };
      return { line: makeLine([...head, span('--> ', { fg: 'green' })], [span(nick, nickStyle), span(' joined', STYLE_INFO)]), mention };
    case 'part': {
      const reason = text ? ` (${text})` : '';
      return { line: makeLine([...head, span('<-- ', { fg: 'red' })], [span(nick, nickStyle), span(` left${reason}`, STYLE_INFO)]), mention };
    }
    case 'nick':
      return {
        line: makeLine([...head, span('-- ', STYLE_INFO)], [span(nick, nickStyle), span(' is now known as ', STYLE_INFO), span(text, { fg: nickColor(text) })]),
        mention,
      };
  }
}

/** A line of our own (command output, confirmations). */
export function infoLine(at: number, text: string, style: Style = STYLE_INFO): Line {
  return makeLine([span(`${formatClock(at)} `, STYLE_TIME), span('-!- ', style)], [span(sanitize(text))]);
}

/** An error for the user (unknown command, failed run), in red. */
export function errorLine(at: number, text: string): Line {
  return makeLine([span(`${formatClock(at)} `, STYLE_TIME), span('!!! ', STYLE_ERROR)], [span(sanitize(text), { fg: 'red' })]);
}

/** A line printed as-is (tables, help), no timestamp; `indent` for its continuation rows. */
export function plainLine(text: string, style?: Style, indent = 0): Line {
  return { spans: [span(sanitize(text), style)], indent };
}

const LEVEL_STYLE: Record<LogLevel, Style> = {
  debug: { fg: 'gray' },
  info: { fg: 'white' },
  warn: { fg: 'yellow' },
  error: { fg: 'red', bold: true },
};

/** A `log` event for the Log window. */
export function logLine(at: number, e: EventOf<'log'>): Line {
  return makeLine(
    [span(`${formatClock(at)} `, STYLE_TIME), span(`${e.level.toUpperCase().padEnd(5)} `, LEVEL_STYLE[e.level]), span(`[${sanitize(e.scope)}] `, STYLE_INFO)],
    [span(sanitize(e.message))],
  );
}

/** The reason of a duplicate link closed on purpose (both nodes dialled at once). */
const DUPLICATE = 'DUPLICATE: ';

/**
 * A link coming up or going down. A lost link says why in words
 * (`link down: bob's node (127.0.0.1:7403, outgoing) dropped the connection
 * (connection reset)`); `nick` is who was on it, when known.
 */
export function peerLine(at: number, e: EventOf<'peer.up'> | EventOf<'peer.down'>, nick?: string): Line {
  const dir = e.direction === 'in' ? 'incoming' : 'outgoing';
  const who = `${sanitize(e.address)} (${dir})`;
  if (e.type === 'peer.up') {
    const name = e.nick ? ` ${sanitize(e.nick)}` : '';
    return makeLine([span(`${formatClock(at)} `, STYLE_TIME), span('-!- ', { fg: 'green' })], [span(`peer up: ${who}${name}`)]);
  }
  const subject = nick ? `${sanitize(nick)}'s node (${sanitize(e.address)}, ${dir})` : `the node at ${sanitize(e.address)} (${dir})`;
  if (e.reason.startsWith(DUPLICATE)) {
    return makeLine([span(`${formatClock(at)} `, STYLE_TIME), span('-!- ', STYLE_INFO)], [span(`duplicate link closed: ${subject} (both nodes dialled at once; the other link stays)`)]);
  }
  const words = reasonWords(e.reason, subject);
  const text = words.startsWith(subject) ? words : `${subject}: ${words}`;
  return makeLine([span(`${formatClock(at)} `, STYLE_TIME), span('-!- ', { fg: 'red' })], [span(`link down: ${sanitize(text)}`)]);
}

