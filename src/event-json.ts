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

/** A chat.line event as JSON (keys in declaration order; undefined optional fields left out). */
function chatLineJson(e: ChatLineEvent): string {
  let s =
    `{"type":"chat.line","protocol":${jsonString(e.protocol)},"kind":${jsonString(e.kind)},"id":${jsonString(e.id)},` +
    `"nick":${jsonString(e.nick)},"text":${jsonString(e.text)},"origin":${jsonString(e.origin)},` +
    `"at":${jsonNumber(e.at)},"hops":${jsonNumber(e.hops)},"self":${e.self ? 'true' : 'false'}`;
  if (e.signedBy !== undefined) s += `,"signedBy":${jsonString(e.signedBy)}`;
  if (e.contact !== undefined) s += `,"contact":${e.contact ? 'true' : 'false'}`;
  return s + '}';
}

/** One event as a `--json` line (without the newline). */
export function eventJson(e: AppEvent): string {
  return e.type === 'chat.line' ? chatLineJson(e) : JSON.stringify(e);
}
