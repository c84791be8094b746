/**
 * The part writer (issue 13, "Speed"), from the event loop's side: one thread
 * for the process that appends ranges of downloads' shared rings to their
 * `.part` files (part-writer-thread.ts). Started on first use and again after
 * it dies; an idle writer does not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { WriterReply, WriterRequest } from './part-writer-messages.js';

/**
 * The compiled thread script. Node runs it (there is no TypeScript loader in
 * a worker): next to this file in `dist/`, or, when the tests run this file
 * from its TypeScript source, the compiled copy that `npm test` builds first.
 */
export function partWriterUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/src/transfer/part-writer-thread.js', here) : new URL('./part-writer-thread.js', here);
}

/** Memory both threads see: a download's ring, known to the writer by `id`. */
export interface SharedRing {
  readonly id: number;
  readonly sab: SharedArrayBuffer;
}

type Pending = { resolve: () => void; reject: (err: Error) => void };

/** See the file comment; `partWriter` is the process's one instance. */
export class PartWriter {
  #worker: Worker | undefined;
  /** Rings the running thread has been told about. */
  readonly #known = new Set<number>();
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #nextRing = 1;

  /** A ring of `bytes` shared with the writer thread. */
  ring(bytes: number): SharedRing {
    return { id: this.#nextRing++, sab: new SharedArrayBuffer(bytes) };
  }

  /** Lets the thread drop a ring nobody will write from again. */
  forget(ring: SharedRing): void {
    if (this.#known.delete(ring.id)) this.#post({ type: 'forget', ring: ring.id });
  }

  /**
   * Appends `ranges` (offset, length pairs in the ring) to `fd` in order;
   * rejects with the error (with its `code`: ENOSPC...) that stopped it.
   */
  write(ring: SharedRing, fd: number, ranges: number[]): Promise<void> {
    const worker = this.#worker ?? this.#spawn();
    if (!this.#known.has(ring.id)) {
      this.#known.add(ring.id);
      this.#post({ type: 'ring', ring: ring.id, sab: ring.sab });
    }
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      if (this.#pending.size === 0) worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#post({ type: 'write', id, ring: ring.id, fd, ranges });
    });
  }

  #post(req: WriterRequest): void {
    this.#worker?.postMessage(req);
  }

  #spawn(): Worker {
    const worker = new Worker(partWriterUrl());
    this.#worker = worker;
    worker.unref(); // idle: the process may exit
    let failure: Error | undefined;
    worker.on('message', (r: WriterReply) => {
      const p = this.#pending.get(r.id);
      if (!p) return;
      this.#pending.delete(r.id);
      if (this.#pending.size === 0) worker.unref();
      if (r.ok) p.resolve();
      else p.reject(Object.assign(new Error(r.message), r.code ? { code: r.code } : {}));
    });
    worker.on('error', (err) => (failure = err));
    worker.on('exit', (code) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#known.clear();
      const err = failure ?? new Error(`part writer thread exited with code ${code}`);
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    });
    return worker;
  }
}

/** The process's part writer. */
export const partWriter = new PartWriter();
