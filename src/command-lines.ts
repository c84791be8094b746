/**
 * Splits headless stdin into command lines with a hard cap (README "Headless mode"):
 * a line longer than `maxBytes` is never buffered whole. Its bytes are skipped up to the
 * next newline and it is reported once as too long, so a 300 MiB line without a newline
 * costs `maxBytes` of memory, not 300 MiB. Pure and incremental: bytes in, items out.
 */

/** Longest command or chat line read from stdin (bytes, without the newline). */
export const MAX_COMMAND_LINE_BYTES = 64 * 1024;

const LF = 0x0a;

/** One complete line, or the report of a line that was too long (and skipped). */
export type CommandLineItem = { kind: 'line'; line: string } | { kind: 'too-long'; limit: number };

/** Incremental splitter: `push(chunk)` returns the items completed by that chunk. */
export class CommandLineSplitter {
  readonly #max: number;
  #parts: Buffer[] = [];
  #bytes = 0;
  /** Skipping the rest of an over-long line until its newline. */
  #skipping = false;

  constructor(maxBytes = MAX_COMMAND_LINE_BYTES) {
    this.#max = maxBytes;
  }

  push(chunk: Buffer): CommandLineItem[] {
    const out: CommandLineItem[] = [];
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(LF, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!this.#skipping) {
        this.#bytes += end - start;
        // A trailing CR may belong to a CRLF: one byte of slack, as the wire decoders allow.
        if (this.#bytes > this.#max + 1) {
          this.#parts = [];
          this.#bytes = 0;
          this.#skipping = true;
          out.push({ kind: 'too-long', limit: this.#max });
        } else if (end > start) {
          // A copy, not a view: a view would pin the caller's whole chunk.
          this.#parts.push(Buffer.from(chunk.subarray(start, end)));
        }
      }
      if (nl === -1) break;
      if (this.#skipping) this.#skipping = false;
      else out.push(this.#take());
      start = nl + 1;
    }
    return out;
  }

  /** Input ended: an unterminated last line is still a line. */
  end(): CommandLineItem[] {
    if (this.#skipping || this.#bytes === 0) return [];
    return [this.#take()];
  }

  #take(): CommandLineItem {
    const line = Buffer.concat(this.#parts).toString('utf8').replace(/\r$/, '');
    this.#parts = [];
    this.#bytes = 0;
    if (Buffer.byteLength(line) > this.#max) return { kind: 'too-long', limit: this.#max };
    return { kind: 'line', line };
  }
}
