/**
 * The share library's worker thread (started by share-workers.ts): walks the
 * shared roots and hashes files with blocking calls, off the event loop, so a
 * scan of 100,000 files neither waits on 100,000 thread-pool round trips nor
 * stalls the node, and two workers hash on both cores (issue 9).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readHashCacheSync } from './hash-cache.js';
import { hashBuffer, hashFileSync, HashStopped } from './hash-sync.js';
import { walkRoots } from './walk-sync.js';
import { HASH_RECORD_CHARS, NAME_SEPARATOR, type PackedHashes, type ScanEnd, type ScanPart, type WorkerReply, type WorkerRequest, type WorkerStart } from './worker-messages.js';

const port = parentPort;
if (!port) throw new Error('share-worker runs as a worker thread');
const stop = new Int32Array((workerData as WorkerStart).stop);
const buf = hashBuffer();
const NOT_HASHED = ' '.repeat(HASH_RECORD_CHARS);

function hashBatch(paths: string[], sizes: Float64Array): PackedHashes {
  const out: PackedHashes = { sizes: new Float64Array(paths.length).fill(-1), records: '', errors: [] };
  const records: string[] = [];
  for (let i = 0; i < paths.length; i++) {
    if (Atomics.load(stop, 0) !== 0) {
      records.push(NOT_HASHED);
      continue;
    }
    try {
      const h = hashFileSync(paths[i]!, buf, sizes[i]!, stop);
      out.sizes[i] = h.size;
      records.push(h.sha1 + h.md5 + h.sha1Base32);
    } catch (err) {
      records.push(NOT_HASHED);
      if (!(err instanceof HashStopped)) out.errors.push(`${paths[i]!}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  out.records = records.join('');
  return out;
}

/** A walk, sent in parts; with `cache`, every file is also looked up in that hash cache file, read here in one read. */
function scan(id: number, roots: string[], maxFiles: number, partFiles: number, cache?: { file: string; legacyFile: string }): ScanEnd {
  const send = (part: ScanPart): void => port!.postMessage({ type: 'scan-part', id, part } satisfies WorkerReply);
  if (!cache) return walkRoots(roots, maxFiles, send, undefined, partFiles);
  const reader = readHashCacheSync(cache.file, cache.legacyFile);
  const end = walkRoots(roots, maxFiles, send, (path, size, mtimeMs, ino) => {
    const c = reader.lookup(path, size, mtimeMs, ino);
    return c && c.sha1 + c.md5 + c.sha1Base32;
  }, partFiles);
  return { ...end, cache: reader.report() };
}

port.on('message', (m: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    switch (m.type) {
      case 'scan':
        reply = { type: 'scanned', id: m.id, end: scan(m.id, m.roots, m.maxFiles, m.partFiles, m.cache) };
        break;
      case 'hash':
        reply = { type: 'hashed', id: m.id, hashes: hashBatch(m.paths.split(NAME_SEPARATOR), m.sizes) };
        break;
    }
  } catch (err) {
    reply = { type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
