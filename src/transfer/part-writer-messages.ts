/** What the event loop and the part writer's thread say to each other (part-writer.ts, part-writer-thread.ts). */

/**
 * The largest single write to a part. The kernel gives a write page-cache
 * folios sized to it, and on the machine issue 13 is measured on (a VM) big
 * folios are sometimes very slow to get: 1 GiB written with 1-4 MiB writes
 * took 0.2-2.5 s of system time, with 16-32 KiB writes 0.25-0.5 s every time
 * (dd and Node alike). curl -o writes 4-12 KiB at a time.
 */
export const WRITE_SLICE_BYTES = 32 << 10;

export type WriterRequest =
  /** A ring the thread may write from, by number from now on. */
  | { type: 'ring'; ring: number; sab: SharedArrayBuffer }
  | { type: 'forget'; ring: number }
  /** Append `ranges` (offset, length pairs in the ring) to `fd`, in order. */
  | { type: 'write'; id: number; ring: number; fd: number; ranges: number[] };

export type WriterReply = { id: number; ok: true } | { id: number; ok: false; code: string | undefined; message: string };
