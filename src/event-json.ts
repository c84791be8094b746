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
 * The JSON of the last string or number given, reused when the next is equal: a relay
 * prints line after line from one origin, under one nick, often stamped in the same
 * millisecond, and checking or converting them again is most of what printing costs.
 */
class LastJson {
  #s = '';
  #sJson = '""';
  #n = 0;
  #nJson = '0';

  string(s: string): string {
    if (s !== this.#s) {
      this.#sJson = jsonString(s);
      this.#s = s;
    }
    return this.#sJson;
  }

  number(n: number): string {
    if (n !== this.#n) {
      this.#nJson = jsonNumber(n);
      this.#n = n;
    }
    return this.#nJson;
  }
}

const lastNick = new LastJson();
const lastOrigin = new LastJson();
const lastAt = new LastJson();

/** A chat.line event as JSON (keys in declaration order; undefined optional fields left out). */
function chatLineJson(e: ChatLineEvent): string {
  // kind is one of a few plain words; protocol is nearly always "chat".
  let s =
    `{"type":"chat.line","protocol":${e.protocol === 'chat' ? '"chat"' : jsonString(e.protocol)},"kind":"${e.kind}","id":${jsonString(e.id)},` +
    `"nick":${lastNick.string(e.nick)},"text":${jsonString(e.text)},"origin":${lastOrigin.string(e.origin)},` +
    `"at":${lastAt.number(e.at)},"hops":${jsonNumber(e.hops)},"self":${e.self ? 'true' : 'false'}`;
  if (e.signedBy !== undefined) s += `,"signedBy":${jsonString(e.signedBy)}`;
  if (e.contact !== undefined) s += `,"contact":${e.contact ? 'true' : 'false'}`;
  return s + '}';
}

/** One event as a `--json` line (without the newline). */
export function eventJson(e: AppEvent): string {
  return e.type === 'chat.line' ? chatLineJson(e) : JSON.stringify(e);
}
