/**
 * HELLO negotiation as pure decisions (specs/chat.md "Lines", "Mesh name and password").
 * A link becomes a chat neighbour only after both HELLOs agree on version and mesh and,
 * with a mesh password, both AUTH proofs check out. Anything else is refused with a reason.
 */
import { NetError } from '../../src/errors.js';
import type { HelloMessage } from './messages.js';
import { authFailed, PASSWORD_NEEDED, PASSWORD_UNWANTED, wrongMesh } from './errors.js';

/** What a HELLO is judged against. */
export interface LocalIdentity {
  node: string;
  mesh: string;
  /** Whether we have a mesh password (then the peer must too). */
  hasPassword: boolean;
}

/** The refusal reason for a link to ourselves (we dialled our own address). */
export const SELF_LINK = 'connected to ourselves';

/** Accept (maybe pending AUTH) or refuse with a reason. */
export type HelloVerdict = { ok: true; needAuth: boolean } | { ok: false; error: NetError };

/** Judges a peer's HELLO against our identity. */
export function judgeHello(hello: HelloMessage, us: LocalIdentity): HelloVerdict {
  if (hello.node === us.node) return { ok: false, error: NetError.refused(SELF_LINK) };
  if (hello.mesh !== us.mesh) return { ok: false, error: wrongMesh(hello.mesh, us.mesh) };
  if (us.hasPassword && hello.auth === undefined) {
    return { ok: false, error: authFailed(PASSWORD_NEEDED) };
  }
  if (!us.hasPassword && hello.auth !== undefined) {
    return { ok: false, error: authFailed(PASSWORD_UNWANTED) };
  }
  return { ok: true, needAuth: us.hasPassword };
}

/** Who dialled: 'out' = we did. */
export type Direction = 'in' | 'out';

/**
 * Two links to the same node (both sides dialled at once): both ends must keep the
 * same one, so the rule depends only on who dialled. Keep the link dialled by the
 * node with the smaller id; if both were dialled by the same side, keep the older one.
 */
export function resolveDuplicateLink(
  ourNode: string,
  theirNode: string,
  existing: Direction,
  incoming: Direction,
): 'keep-existing' | 'keep-new' {
  if (existing === incoming) return 'keep-existing';
  const preferredDialler: Direction = ourNode < theirNode ? 'out' : 'in';
  return existing === preferredDialler ? 'keep-existing' : 'keep-new';
}
