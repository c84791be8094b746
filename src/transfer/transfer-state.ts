import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../paths.js';

/** Name of the state file in the data dir. */
export const TRANSFER_STATE_FILE = 'transfers.json';
const FILE_VERSION = 1;
/** Most downloads kept in the file (the engine's queue cap is lower). */
const MAX_SAVED = 5_000;
/** Longest JSON of one protocol ref accepted from the file. */
const MAX_REF_CHARS = 4_096;

/**
 * One unfinished download as it survives a restart: enough for the protocol
 * that made it to open it again (`ref`, see FileHit.ref) and for the engine to
 * resume its own `.part`.
 */
export interface SavedDownload {
  name: string;
  peer: string;
  protocol: string;
  size: number | null;
  sha1?: string;
  /** Protocol-private, JSON-serialisable: handed back to FileProtocol.source after a restart. */
  ref: unknown;
  /** The `.part` file this download owns in the download folder (null: not started yet). */
  part: string | null;
  /** queued: resume on start; failed/cancelled: listed again, `/retry` resumes. */
  state: 'queued' | 'failed' | 'cancelled';
  reason: string | null;
}

/** Reads the saved downloads; a missing or corrupt file is an empty list (never fatal). */
export async function loadTransferState(file: string): Promise<SavedDownload[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  if (!data || typeof data !== 'object' || (data as { version?: unknown }).version !== FILE_VERSION) return [];
  const list = (data as { downloads?: unknown }).downloads;
  if (!Array.isArray(list)) return [];
  const out: SavedDownload[] = [];
  for (const d of list.slice(0, MAX_SAVED)) {
    const s = parseSaved(d);
    if (s) out.push(s);
  }
  return out;
}

/** Writes the list atomically (temp file + rename): a crash leaves the old or the new file, never half of one. */
export async function saveTransferState(file: string, downloads: SavedDownload[]): Promise<void> {
  await writeFileAtomic(file, JSON.stringify({ version: FILE_VERSION, downloads: downloads.slice(0, MAX_SAVED) }, null, 1));
}

function parseSaved(d: unknown): SavedDownload | undefined {
  if (!d || typeof d !== 'object') return undefined;
  const r = d as Record<string, unknown>;
  const str = (v: unknown, max = 1024): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
  if (!str(r.name) || !str(r.peer) || !str(r.protocol, 64)) return undefined;
  const size = r.size === null ? null : typeof r.size === 'number' && Number.isSafeInteger(r.size) && r.size >= 0 ? r.size : undefined;
  if (size === undefined) return undefined;
  if (r.sha1 !== undefined && !str(r.sha1, 128)) return undefined;
  // A part is a bare file name in the download folder: never a path.
  if (r.part !== null && (!str(r.part, 255) || /[/\\]/.test(r.part) || !r.part.endsWith('.part') || r.part.startsWith('.'))) return undefined;
  if (r.state !== 'queued' && r.state !== 'failed' && r.state !== 'cancelled') return undefined;
  if (r.ref === undefined || JSON.stringify(r.ref).length > MAX_REF_CHARS) return undefined;
  const reason = typeof r.reason === 'string' ? r.reason.slice(0, 500) : null;
  return {
    name: r.name,
    peer: r.peer,
    protocol: r.protocol,
    size,
    ...(r.sha1 !== undefined ? { sha1: r.sha1 } : {}),
    ref: r.ref,
    part: r.part,
    state: r.state,
    reason,
  };
}
