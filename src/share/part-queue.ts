/**
 * Parts of a walk waiting to be taken in, one per turn of the event loop
 * (issue 9). The walking worker sends parts about as fast as the library
 * takes them in, and Node hands over a port's messages in one go for as long
 * as more keep arriving: taking each part in as it arrived kept the hashing
 * worker's messages (its start, its results) waiting until the walk ended,
 * so it hashed nothing meanwhile.
 */
import type { ScanPart } from './worker-messages.js';

/** The parts of one walk, taken in one per turn of the event loop. */
export class PartQueue {
  #parts: ScanPart[] = [];
  #next: ReturnType<typeof setImmediate> | undefined;
  #failure: Error | undefined;

  constructor(private readonly take: (part: ScanPart) => void) {}

  push(part: ScanPart): void {
    if (this.#failure) return;
    this.#parts.push(part);
    this.#next ??= setImmediate(() => this.#turn());
  }

  /** The walk has ended: takes in every part still waiting; throws what taking one in threw. */
  finish(): void {
    this.cancel();
    while (!this.#failure && this.#parts.length > 0) this.#takeOne();
    if (this.#failure) throw this.#failure;
  }

  /** Takes in nothing more. */
  cancel(): void {
    if (this.#next) clearImmediate(this.#next);
    this.#next = undefined;
  }

  #turn(): void {
    this.#next = undefined;
    this.#takeOne();
    if (!this.#failure && this.#parts.length > 0) this.#next = setImmediate(() => this.#turn());
  }

  #takeOne(): void {
    const part = this.#parts.shift();
    if (!part) return;
    try {
      this.take(part);
    } catch (err) {
      this.#failure = err instanceof Error ? err : new Error(String(err));
      this.#parts = [];
    }
  }
}
