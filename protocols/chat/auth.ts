/**
 * Mesh-password challenge-response (specs/chat.md "Mesh name and password").
 * Each HELLO carries a fresh nonce; each side then proves it knows the password
 * with `AUTH <hmac>`. The password never crosses the wire.
 *
 * The proof is HMAC-SHA256(password, both nonces + both node ids) in a canonical
 * order that starts with the prover's own fields. Both sides compute both proofs
 * identically, and the two proofs of one link differ, so a peer cannot pass by
 * echoing ours back (a reflection attack).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CHAT_VERSION, NONCE_BYTES } from './constants.js';

/** One side of a link, as the proof binds it. */
export interface AuthParty {
  node: string;
  nonce: string;
}

/** A fresh random nonce for our HELLO's `auth=` field (hex). */
export function makeNonce(): string {
  return randomBytes(NONCE_BYTES).toString('hex');
}

/** The proof `prover` sends to `verifier`, as 64 hex digits. */
export function authProof(password: string, prover: AuthParty, verifier: AuthParty): string {
  const input = [`${CHAT_VERSION} AUTH`, prover.node, prover.nonce, verifier.node, verifier.nonce].join('\n');
  return createHmac('sha256', password).update(input, 'utf8').digest('hex');
}

/** Checks the peer's proof in constant time. */
export function verifyProof(password: string, prover: AuthParty, verifier: AuthParty, hmac: string): boolean {
  const want = Buffer.from(authProof(password, prover, verifier), 'hex');
  const got = Buffer.from(hmac, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}
