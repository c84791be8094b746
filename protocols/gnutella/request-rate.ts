/**
 * Requests per address in a fixed window, for endpoints a stranger can call
 * to make us send something (the push-proxy endpoint: every request becomes a
 * Push to a leaf, and its callback to an address the stranger chose).
 * gtk-gnutella bans an address past 5 HTTP requests a minute (spec 6); a
 * downloader needs one per file, so the default is generous but bounded. The
 * table forgets the least recently seen address past its cap. Pure: `now` is given.
 */

/** Requests one address may make per window. */
export const REQUESTS_PER_WINDOW = 30;
export const REQUEST_WINDOW_MS = 60_000;
/** Addresses remembered at once. */
export const MAX_TRACKED_ADDRESSES = 1_024;

interface Window {
  since: number;
  count: number;
}

export class RequestRate {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly perWindow = REQUESTS_PER_WINDOW,
    private readonly windowMs = REQUEST_WINDOW_MS,
    private readonly maxTracked = MAX_TRACKED_ADDRESSES,
  ) {}

  /** Counts a request from `address`; false when it is over the rate (the request is refused). */
  take(address: string, now: number): boolean {
    let w = this.#windows.get(address);
    if (w) this.#windows.delete(address); // re-insert: least recently seen first
    else if (this.#windows.size >= this.maxTracked) this.#windows.delete(this.#windows.keys().next().value!);
    if (!w || now - w.since >= this.windowMs) w = { since: now, count: 0 };
    this.#windows.set(address, w);
    if (w.count >= this.perWindow) return false;
    w.count++;
    return true;
  }

  get size(): number {
    return this.#windows.size;
  }
}
