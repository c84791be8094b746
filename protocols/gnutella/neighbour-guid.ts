/**
 * gtk-gnutella's check on a neighbour's identity (spec 2.3; its nodes.c
 * node_set_guid and MAX_WEIRD_MSG): a servent has one GUID, said in its
 * handshake (`GUID:`) and carried at the end of every QueryHit it answers
 * itself (hops 0). A neighbour whose own hits carry another GUID is counted
 * "weird" once per such hit; at 5 it gets `Bye 412 Security violation`. The
 * GUID kept is the first one known (the handshake's, else the first hit's).
 */
import { GUID_BYTES } from './constants.js';

/** Weird hits before Bye 412 (gtk-gnutella's MAX_WEIRD_MSG). */
export const MAX_WEIRD_HITS = 5;

export interface GuidVerdict {
  /** The GUID to keep for the neighbour. */
  guid: string;
  /** This hit carried another one. */
  weird: boolean;
}

/** `known`: the neighbour's GUID so far (hex); `hit`: a QueryHit payload it sent with hops 0. */
export function checkNeighbourGuid(known: string | undefined, hit: Buffer): GuidVerdict | undefined {
  if (hit.length < GUID_BYTES) return undefined;
  const guid = hit.toString('hex', hit.length - GUID_BYTES);
  if (known === undefined) return { guid, weird: false };
  return { guid: known, weird: guid !== known };
}
