/**
 * The queueing headers of Gnutella HTTP transfers (spec 5.4), read with hard
 * limits and written as gtk-gnutella writes them:
 *
 * - PARQ (gtk-gnutella): the client says `X-Queue: 1.1`; a queued answer is
 *   `503 Queued` + `X-Queued: position=3; length=12; ETA=180; lifetime=600; ID=<32 hex>`
 *   + `Retry-After`; the client comes back quoting `X-Queued: position=3; ID=<id>`.
 * - LimeWire's active queue: `503` + `X-Queue: position=2, pollMin=45, pollMax=120`,
 *   polled again on the same kept-alive connection.
 *
 * Pure: strings in, bounded values out; nothing here throws on remote input.
 */

/** What our downloads say in `X-Queue` (PARQ 1.1, as gtk-gnutella asks). */
export const PARQ_CLIENT_VERSION = '1.1';
/** What our answers say in `X-Features` (gtk-gnutella's PARQ_VERSION 1.0). */
export const QUEUE_FEATURE = 'queue/1.0';
/** Characters of a queueing header read at most; the rest is ignored. */
export const MAX_QUEUE_HEADER_CHARS = 512;
/** Fields read from one header at most. */
const MAX_FIELDS = 16;
/** Largest number taken from a field (about 31 years in seconds); a longer run of digits is garbage. */
export const MAX_FIELD_NUMBER = 999_999_999;
/** A queue ID we quote back: printable, no separator, at most 64 characters (gtk-gnutella's are 32 hex). */
const ID_RE = /^[0-9A-Za-z._~+/=-]{1,64}$/;

/** PARQ's `X-Queued` fields; each one absent when missing or not a plain number in range. */
export interface XQueued {
  position?: number;
  length?: number;
  etaS?: number;
  lifetimeS?: number;
  id?: string;
}

/** LimeWire's active-queue `X-Queue` fields. */
export interface XQueueActive {
  position?: number;
  pollMinS?: number;
  pollMaxS?: number;
}

/** One header value as node:http gives it (string, repeated as an array, absent), cut to the limit. */
function text(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v.slice(0, MAX_QUEUE_HEADER_CHARS) : undefined;
}

/** A whole number of at most 9 digits, else undefined. */
export function smallNumber(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,9}$/.test(v)) return undefined;
  const n = Number(v);
  return n <= MAX_FIELD_NUMBER ? n : undefined;
}

/** `key=value` pairs split at `;` or `,`, keys lower-cased; the first of a repeated key wins. */
function fields(value: unknown): Map<string, string> | undefined {
  const t = text(value);
  if (t === undefined) return undefined;
  const out = new Map<string, string>();
  for (const part of t.split(/[;,]/, MAX_FIELDS)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    if (!out.has(key)) out.set(key, part.slice(eq + 1).trim());
  }
  return out;
}

/** Reads a PARQ `X-Queued` header; undefined when it names neither a position nor an ID. */
export function parseXQueued(value: unknown): XQueued | undefined {
  const f = fields(value);
  if (!f) return undefined;
  const id = f.get('id');
  const out: XQueued = {};
  const put = (key: keyof Omit<XQueued, 'id'>, field: string): void => {
    const n = smallNumber(f.get(field));
    if (n !== undefined) out[key] = n;
  };
  put('position', 'position');
  put('length', 'length');
  put('etaS', 'eta');
  put('lifetimeS', 'lifetime');
  if (id !== undefined && ID_RE.test(id)) out.id = id;
  return out.position !== undefined || out.id !== undefined ? out : undefined;
}

/** Reads LimeWire's `X-Queue: position=N, pollMin=45, pollMax=120`; undefined when no poll time is named. */
export function parseXQueueActive(value: unknown): XQueueActive | undefined {
  const f = fields(value);
  if (!f) return undefined;
  const out: XQueueActive = {};
  const position = smallNumber(f.get('position'));
  const min = smallNumber(f.get('pollmin'));
  const max = smallNumber(f.get('pollmax'));
  if (position !== undefined) out.position = position;
  if (min !== undefined) out.pollMinS = min;
  if (max !== undefined) out.pollMaxS = max;
  return min !== undefined || max !== undefined ? out : undefined;
}

/** Whether a request's `X-Queue` says the client understands queueing (`1.1`, `1.0`, LimeWire's `0.1`). */
export function wantsQueue(value: unknown): boolean {
  const t = text(value);
  return t !== undefined && /^\s*\d{1,3}\.\d{1,3}\s*$/.test(t);
}

/** `Retry-After` in seconds (the delta form; an HTTP date or garbage gives undefined). */
export function parseRetryAfter(value: unknown): number | undefined {
  const t = text(value);
  return t === undefined ? undefined : smallNumber(t.trim());
}

/** A number clamped into [min, max]; undefined, NaN and negatives become `fallback` first. */
export function clamp(n: number | undefined, min: number, max: number, fallback: number): number {
  const v = n === undefined || !Number.isFinite(n) ? fallback : n;
  return Math.min(max, Math.max(min, v));
}

/** The `X-Queued` value of a queued answer, fields in gtk-gnutella's order. */
export function formatXQueued(q: { position: number; length: number; etaS: number; lifetimeS: number; id: string }): string {
  return `position=${q.position}; length=${q.length}; ETA=${q.etaS}; lifetime=${q.lifetimeS}; ID=${q.id}`;
}
