/**
 * The part writer's thread (started by part-writer.ts): appends ranges of a
 * download's shared ring to its `.part` with blocking writes of at most
 * WRITE_SLICE_BYTES, off the event loop. Small writes in a loop here cost
 * neither a thread-pool round trip each (context switches are dear on this
 * machine) nor the large page-cache folios a big write is given (see
 * WRITE_SLICE_BYTES).
 */
import { writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { WRITE_SLICE_BYTES, type WriterReply, type WriterRequest } from './part-writer-messages.js';

const port = parentPort;
if (!port) throw new Error('part-writer-thread runs as a worker thread');
const rings = new Map<number, Buffer>();

function errorOf(err: unknown): { code: string | undefined; message: string } {
  const e = err as { code?: unknown; message?: unknown } | null;
  return { code: typeof e?.code === 'string' ? e.code : undefined, message: typeof e?.message === 'string' ? e.message : String(err) };
}

port.on('message', (req: WriterRequest) => {
  if (req.type === 'ring') {
    rings.set(req.ring, Buffer.from(req.sab));
    return;
  }
  if (req.type === 'forget') {
    rings.delete(req.ring);
    return;
  }
  let reply: WriterReply = { id: req.id, ok: true };
  try {
    const ring = rings.get(req.ring);
    if (!ring) throw new Error(`unknown ring ${req.ring}`);
    for (let j = 0; j < req.ranges.length; j += 2) {
      const end = req.ranges[j]! + req.ranges[j + 1]!;
      for (let at = req.ranges[j]!; at < end; ) {
        const n = writeSync(req.fd, ring, at, Math.min(WRITE_SLICE_BYTES, end - at));
        if (n <= 0) throw Object.assign(new Error('short write (disk full?)'), { code: 'ENOSPC' });
        at += n;
      }
    }
  } catch (err) {
    reply = { id: req.id, ok: false, ...errorOf(err) };
  }
  port.postMessage(reply);
});
