/**
 * Text hygiene shared by the codec and the plain-peer renderer
 * (specs/chat.md "Lines": control characters other than tab are stripped before display).
 */
import { MAX_MESH_LENGTH, MAX_NICK_LENGTH } from './constants.js';

// C0 controls except tab, DEL, and C1 controls.
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/** Removes control characters other than tab. */
export function stripControls(s: string): string {
  return s.replace(CONTROLS, '');
}

// Bidi embeddings, overrides and isolates: they turn the rest of a line around on a terminal
// that does bidi (the marks LRM, RLM and ALM stay: right-to-left text needs them).
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/** Removes bidi embedding, override and isolate controls from text to show. */
export function stripBidi(s: string): string {
  return s.replace(BIDI_CONTROLS, '');
}

const WORD_RE = /^[^\s\u0000-\u001f\u007f-\u009f:][^\s\u0000-\u001f\u007f-\u009f]*$/u;

/** A single wire token: no whitespace or controls, not starting with `:`. */
function isWord(s: string, max: number): boolean {
  return s.length >= 1 && s.length <= max && WORD_RE.test(s);
}

/**
 * Whether `s` can be a nick on the wire (one token, at most MAX_NICK_LENGTH chars): what we
 * take from other nodes (older ones allowed longer nicks; a plain peer's nick is its address).
 * A nick a user picks follows the stricter rule of src/nick.ts, and a wire nick is shown
 * through its shownNick.
 */
export function isNick(s: string): boolean {
  return isWord(s, MAX_NICK_LENGTH);
}

/** Whether `s` can be a mesh name on the wire. */
export function isMeshName(s: string): boolean {
  return isWord(s, MAX_MESH_LENGTH);
}
