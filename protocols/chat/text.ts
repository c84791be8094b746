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

const WORD_RE = /^[^\s\u0000-\u001f\u007f-\u009f:][^\s\u0000-\u001f\u007f-\u009f]*$/u;

/** A single wire token: no whitespace or controls, not starting with `:`. */
function isWord(s: string, max: number): boolean {
  return s.length >= 1 && s.length <= max && WORD_RE.test(s);
}

/** Whether `s` can be a nick on the wire (one token, at most MAX_NICK_LENGTH chars). */
export function isNick(s: string): boolean {
  return isWord(s, MAX_NICK_LENGTH);
}

/** Whether `s` can be a mesh name on the wire. */
export function isMeshName(s: string): boolean {
  return isWord(s, MAX_MESH_LENGTH);
}

/**
 * Makes any string a usable wire nick (the node's configured nick may come from an OS
 * user name): whitespace becomes `_`, controls and a leading `:` go, length is capped.
 */
export function toNick(s: string, fallback = 'anon'): string {
  const n = stripControls(s).replace(/\s+/gu, '_').replace(/^:+/, '').slice(0, MAX_NICK_LENGTH);
  return isNick(n) ? n : fallback;
}
