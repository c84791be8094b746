/**
 * The share library's worker thread (started by share-workers.ts): walks the
 * shared roots and hashes files with blocking calls, off the event loop, so a
 * scan of 100,000 files neither waits on 100,000 thread-pool round trips nor
 * stalls the node, and two workers hash on both cores (issue 9).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readHashCacheSync } from './hash-cache.js';
import { hashBuffer, hashFileRecord, HashStopped } from './hash-sync.js';
import { statHashBatch } from './stat-hash-sync.js';
import { walkRoots } from './walk-sync.js';
import { HASH_RECORD_CHARS, NAME_SEPARATOR, type PackedHashes, type ScanEnd, type ScanPart, type WorkerReply, type WorkerRequest, type WorkerStart } from './worker-messages.js';

const port = parentPort;
if (!port) throw new Error('share-worker runs as a worker thread');
const stop = new Int32Array((workerData as WorkerStart).stop);
const buf = hashBuffer();
const SPACE = 0x20;

/** Hashes a batch into one buffer of records (spaces for a file not hashed), sent back as one string. */
function hashBatch(paths: string[], sizes: Float64Array): PackedHashes {
  const out: PackedHashes = { sizes: new Float64Array(paths.length).fill(-1), records: '', errors: [] };
  const records = Buffer.alloc(paths.length * HASH_RECORD_CHARS, SPACE);
  for (let i = 0; i < paths.length && Atomics.load(stop, 0) === 0; i++) {
    try {
      out.sizes[i] = hashFileRecord(paths[i]!, buf, sizes[i]!, stop, records, i * HASH_RECORD_CHARS);
    } catch (err) {
      records.fill(SPACE, i * HASH_RECORD_CHARS, (i + 1) * HASH_RECORD_CHARS);
      if (!(err instanceof HashStopped)) out.errors.push(`${paths[i]!}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  out.records = records.toString('latin1');
  return out;
}

/** A walk, sent in parts; with `cache`, every file is also looked up in that hash cache file, read here in one read. */
function scan(id: number, roots: string[], maxFiles: number, partFiles: number, cache?: { file: string; legacyFile: string }, list = false): ScanEnd {
  const send = (part: ScanPart): void => port!.postMessage({ type: 'scan-part', id, part } satisfies WorkerReply);
  if (!cache) return walkRoots(roots, maxFiles, send, undefined, partFiles, list);
  const reader = readHashCacheSync(cache.file, cache.legacyFile);
  const end = walkRoots(roots, maxFiles, send, (path, size, mtimeMs, ctimeMs, ino) => {
    const c = reader.lookup(path, size, mtimeMs, ctimeMs, ino);
    return c && c.sha1 + c.md5;
  }, partFiles);
  return { ...end, cache: reader.report() };
}

port.on('message', (m: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    switch (m.type) {
      case 'scan':
        reply = { type: 'scanned', id: m.id, end: scan(m.id, m.roots, m.maxFiles, m.partFiles, m.cache, m.list) };
        break;
      case 'hash':
        reply = { type: 'hashed', id: m.id, hashes: hashBatch(m.paths.split(NAME_SEPARATOR), m.sizes) };
        break;
      case 'stat-hash':
        reply = { type: 'stat-hashed', id: m.id, files: statHashBatch(m.paths.split(NAME_SEPARATOR), m.sizes, m.mtimes, m.ctimes, m.inos, buf, stop, m.maxBytes) };
        break;
    }
  } catch (err) {
    reply = { type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
