import { NetError } from '../../src/errors.js';

/** Bounds of one answer (pplus2.md: "answer size ... bounded"). */
export interface AnswerLimits {
  maxLines: number;
  maxBytes: number;
}

/**
 * Collects the lines of one answer (peer list or query) and decides, line by
 * line, whether the callee has sent more than an answer may hold. Pure: the
 * caller closes the link when `add` returns a NetError (pplus2.md: "answer size
 * ... bounded"); the lines kept so far stay usable.
 */
export class AnswerCollector {
  readonly lines: string[] = [];
  #bytes = 0;

  constructor(readonly limits: AnswerLimits) {}

  /** Adds a line; a NetError (LIMIT) means the answer is over its bounds and the line was not kept. */
  add(line: string): NetError | undefined {
    const size = Buffer.byteLength(line) + 1;
    if (this.lines.length >= this.limits.maxLines) return NetError.limit(`answer longer than ${this.limits.maxLines} lines`);
    if (this.#bytes + size > this.limits.maxBytes) return NetError.limit(`answer larger than ${this.limits.maxBytes} bytes`);
    this.#bytes += size;
    if (line !== '') this.lines.push(line);
    return undefined;
  }
}
