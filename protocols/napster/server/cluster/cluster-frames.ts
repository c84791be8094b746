/**
 * Merging the frames of a scattered search (issue 15, specs/napster.md §5):
 * each server answers with its 201 results as wire frames; the searcher's
 * server keeps its own first, then the others' in the order they replied, up
 * to MAX_RESULTS, and ends with one 202. Pure; frames from another server are
 * decoded with the usual limits, and a malformed answer counts as none.
 */
import { FrameBatch, encodeFrame } from '../../codec.js';
import { MAX_PAYLOAD, MSG_SEARCH_END, MSG_SEARCH_RESULT } from '../../constants.js';
import { NapFrameDecoder } from '../../frame-decoder.js';

export interface SplitFrame {
  type: number;
  payload: Buffer;
}

/** Decodes whole frames; undefined when the bytes are not a clean run of frames. */
export function splitFrames(bytes: Buffer): SplitFrame[] | undefined {
  const d = new NapFrameDecoder(MAX_PAYLOAD);
  d.push(bytes);
  const out: SplitFrame[] = [];
  try {
    for (let f = d.next(); f; f = d.next()) out.push({ type: f.type, payload: f.payload });
  } catch {
    return undefined;
  }
  return d.takeRest().length === 0 ? out : undefined;
}

/** The bytes of a search answer without its closing 202 (what a server sends the searcher's server). */
export function withoutEnd(bytes: Buffer): Buffer {
  const end = encodeFrame(MSG_SEARCH_END);
  return bytes.length >= end.length && bytes.subarray(bytes.length - end.length).equals(end) ? bytes.subarray(0, bytes.length - end.length) : bytes;
}

/**
 * One answer from the local frames (results and any 404 notice) and the
 * other servers' results: at most `max` 201s in all, then 202.
 */
export function mergeResults(local: SplitFrame[], remote: readonly Buffer[], max: number): Buffer {
  const batch = new FrameBatch();
  let n = 0;
  for (const f of local) {
    if (f.type === MSG_SEARCH_RESULT) {
      if (n >= max) continue;
      n++;
    }
    batch.add(f.type, f.payload);
  }
  for (const bytes of remote) {
    for (const f of splitFrames(bytes) ?? []) {
      if (n >= max) break;
      if (f.type !== MSG_SEARCH_RESULT) continue;
      batch.add(f.type, f.payload);
      n++;
    }
  }
  batch.add(MSG_SEARCH_END);
  return batch.toBuffer();
}
