/**
 * The chat protocol's own error codes (specs/chat.md, handshake): they travel
 * in `ERROR :CODE: text` lines and close only the link they concern.
 */
import { NetError } from '../../src/errors.js';

declare module '../../src/errors.js' {
  interface ProtocolErrorCodes {
    /** The mesh password check failed, or only one side has a password. */
    AUTH_FAILED: true;
    /** The peer is in another mesh. */
    WRONG_MESH: true;
  }
}

/** What a node without a password is told by one with (it reads "peer" as itself). */
export const PASSWORD_NEEDED = 'this mesh needs a password; peer offered none';
/** What a node with a password is told by one without. */
export const PASSWORD_UNWANTED = 'peer wants a mesh password; we have none';

/** The mesh password check failed (or one side has none). */
export function authFailed(what = 'mesh password check failed'): NetError {
  return new NetError('AUTH_FAILED', what);
}

/** The peer's HELLO names another mesh. */
export function wrongMesh(theirs: string, ours: string): NetError {
  return new NetError('WRONG_MESH', `peer is in mesh "${theirs}", we are in "${ours}"`);
}

/**
 * A refusal's text (`ERROR :CODE: text` before the handshake) as the refused node should
 * read it: the refuser wrote it as it logs it, "peer" meaning us and "we" itself.
 */
export function refusedWords(text: string): string {
  const mesh = /^peer is in mesh "(.*)", we are in "(.*)"$/su.exec(text);
  if (mesh) return `it is in mesh "${mesh[2] ?? ''}", we are in "${mesh[1] ?? ''}"`;
  if (text === PASSWORD_NEEDED) return 'its mesh needs a password (--mesh-password-file); we offered none';
  if (text === PASSWORD_UNWANTED) return 'its mesh has no password; we offered one';
  return text;
}

/**
 * The peer's `ERROR :<CODE>: reason` before the handshake (or DUPLICATE after it), keeping its
 * code where it names one (once).
 */
export function refusal(reason: string): NetError {
  const code = /^(WRONG_MESH|AUTH_FAILED|PROTOCOL|LIMIT|REFUSED|DUPLICATE): /.exec(reason)?.[1];
  const text = `peer refused us: ${code === undefined ? reason : refusedWords(reason.slice(code.length + 2))}`;
  if (code === 'WRONG_MESH' || code === 'AUTH_FAILED' || code === 'PROTOCOL' || code === 'LIMIT' || code === 'DUPLICATE') return new NetError(code, text);
  return NetError.refused(text);
}
