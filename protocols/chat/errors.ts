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

/** The mesh password check failed (or one side has none). */
export function authFailed(what = 'mesh password check failed'): NetError {
  return new NetError('AUTH_FAILED', what);
}

/** The peer's HELLO names another mesh. */
export function wrongMesh(theirs: string, ours: string): NetError {
  return new NetError('WRONG_MESH', `peer is in mesh "${theirs}", we are in "${ours}"`);
}
