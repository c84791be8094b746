/**
 * Why open links ended, counted for `/gstatus` (an operator's view of churn):
 * the Bye we sent or got, with its code (spec 2.10), else the kind of close.
 * Keys are few (a Bye code is three digits, the rest are error codes), so the
 * table stays small whatever peers do.
 */
import type { NetError } from '../../src/errors.js';

/** Words for the closes that are not a Bye. */
const WORDS: Readonly<Record<string, string>> = {
  SOCKET: 'connection lost',
  CLOSED: 'closed',
  IDLE_TIMEOUT: 'idle',
  SLOW_CONSUMER: 'not reading',
  FRAME_TOO_LARGE: 'oversized message',
  BAD_MESSAGE: 'garbled',
  INFLATE_LIMIT: 'deflate bomb',
  PROTOCOL: 'protocol error',
  DUPLICATE: 'duplicate link',
};

/** The kind of end: `we sent Bye 405`, `peer said Bye 200`, or the close in words. */
export function endOf(reason: NetError | undefined): string {
  if (!reason) return 'closed';
  const ours = /^Bye (\d{3}) /.exec(reason.message);
  if (ours) return `we sent Bye ${ours[1]!}`;
  const theirs = /^peer said Bye (\d{3})/.exec(reason.message);
  if (theirs) return `peer said Bye ${theirs[1]!}`;
  return WORDS[reason.code] ?? reason.code.toLowerCase().replaceAll('_', ' ');
}

export class LinkEnds {
  readonly #counts = new Map<string, number>();
  #total = 0;

  note(reason: NetError | undefined): void {
    const k = endOf(reason);
    this.#counts.set(k, (this.#counts.get(k) ?? 0) + 1);
    this.#total++;
  }

  /** `links ended since start: 3 (we sent Bye 405 1, peer said Bye 200 2)`. */
  describe(): string {
    if (this.#total === 0) return 'links ended since start: none';
    const parts = [...this.#counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`);
    return `links ended since start: ${this.#total} (${parts.join(', ')})`;
  }
}
