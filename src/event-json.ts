/**
 * The `--json` text of an event (README "Headless mode", "Events"). A headless relay prints
 * one `chat.line` per line it relays, and JSON.stringify of the whole event was about half
 * of what printing cost (issue 9: printing events must not be what limits the mesh), so the
 * hot event is written by hand: fixed keys, and each string copied as it is unless it holds
 * a character JSON must escape. The text is exactly what JSON.stringify gives for an event
 * whose keys are in the order AppEvent declares them (the order every producer builds them
 * in); test/core/event-json.test.ts holds it to that for hostile strings.
 */
import type { AppEvent } from './app-api.js';

/**
 * Characters JSON.stringify does not copy as they are: `"`, `\`, C0 controls, and UTF-16
 * surrogates (a lone one is escaped; a pair is left to JSON.stringify too, for simplicity).
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(s)` for a string, without its cost in the common case. */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** `JSON.stringify(n)` for a number (non-finite numbers are null in JSON). */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

type ChatLineEvent = Extract<AppEvent, { type: 'chat.line' }>;

/**
 * One flat string with the same text. Strings built by `+` are trees of pieces that every
 * write walks again, piece by piece; the parts of a line kept from one line to the next
 * are flattened once. Only for well-formed text (jsonString's output is: lone surrogates
 * come out escaped), which survives UTF-8 both ways.
 */
function flat(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** `{"type":"chat.line","protocol":"chat","kind":"<kind>","id":"`, by kind (there are five). */
const HEADS = new Map<string, string>();
const MAX_HEADS = 8;

/**
 * The parts of a chat.line around its id and text that the next line most likely repeats:
 * a relay prints line after line from one origin, under one nick, often stamped in the
 * same millisecond. Each is kept as one flat string with the fields it was made from.
 */
class LineParts {
  /** `","nick":<nick>,"text":"` */
  #nick: string | undefined;
  #middle = '';
  /** `","origin":<origin>,"at":<at>,"hops":<hops>,"self":<self>[,"signedBy":..][,"contact":..]}\n` */
  #tailOf: { origin: string; at: number; hops: number; self: boolean; signedBy: string | undefined; contact: boolean | undefined } | undefined;
  #tail = '';

  middle(nick: string): string {
    if (nick !== this.#nick) {
      this.#middle = flat(`","nick":${jsonString(nick)},"text":"`);
      this.#nick = nick;
    }
    return this.#middle;
  }

  tail(e: ChatLineEvent): string {
    const t = this.#tailOf;
    if (t === undefined || t.origin !== e.origin || !Object.is(t.at, e.at) || !Object.is(t.hops, e.hops) || t.self !== e.self || t.signedBy !== e.signedBy || t.contact !== e.contact) {
      let s = `","origin":${jsonString(e.origin)},"at":${jsonNumber(e.at)},"hops":${jsonNumber(e.hops)},"self":${e.self ? 'true' : 'false'}`;
      if (e.signedBy !== undefined) s += `,"signedBy":${jsonString(e.signedBy)}`;
      if (e.contact !== undefined) s += `,"contact":${e.contact ? 'true' : 'false'}`;
      this.#tail = flat(s + '}\n');
      this.#tailOf = { origin: e.origin, at: e.at, hops: e.hops, self: e.self, signedBy: e.signedBy, contact: e.contact };
    }
    return this.#tail;
  }
}

const parts = new LineParts();

/**
 * A chat.line event as a JSON line, newline included (keys in declaration order; undefined
 * optional fields left out): five pieces when its id and text need no escaping (the usual
 * case), else field by field.
 */
function chatLineJson(e: ChatLineEvent): string {
  if (e.protocol === 'chat' && !NEEDS_ESCAPE.test(e.id) && !NEEDS_ESCAPE.test(e.text)) {
    let head = HEADS.get(e.kind);
    if (head === undefined) {
      head = flat(`{"type":"chat.line","protocol":"chat","kind":${jsonString(e.kind)},"id":"`);
      if (HEADS.size < MAX_HEADS) HEADS.set(e.kind, head);
    }
    return head + e.id + parts.middle(e.nick) + e.text + parts.tail(e);
  }
  let s =
    `{"type":"chat.line","protocol":${jsonString(e.protocol)},"kind":${jsonString(e.kind)},"id":${jsonString(e.id)},` +
    `"nick":${jsonString(e.nick)},"text":${jsonString(e.text)},"origin":${jsonString(e.origin)},` +
    `"at":${jsonNumber(e.at)},"hops":${jsonNumber(e.hops)},"self":${e.self ? 'true' : 'false'}`;
  if (e.signedBy !== undefined) s += `,"signedBy":${jsonString(e.signedBy)}`;
  if (e.contact !== undefined) s += `,"contact":${e.contact ? 'true' : 'false'}`;
  return s + '}\n';
}

/** One event as a `--json` line, newline included (what headless prints). */
export function eventJsonLine(e: AppEvent): string {
  return e.type === 'chat.line' ? chatLineJson(e) : JSON.stringify(e) + '\n';
}

/** One event as `--json` text (without the newline). */
export function eventJson(e: AppEvent): string {
  return e.type === 'chat.line' ? chatLineJson(e).slice(0, -1) : JSON.stringify(e);
}
