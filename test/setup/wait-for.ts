/**
 * A `vi.waitFor` without a timeout of its own waits up to 10 s here, not
 * vitest's 1 s. Test files run two at a time on a 2-core machine
 * (vitest.config.ts), and under that load a TUI render or a socket round trip
 * sometimes took longer than a second. A wait that is met returns as soon as
 * it is, so only a failing test takes longer to report.
 */
import { vi } from 'vitest';

/** The timeout of a vi.waitFor that names none. */
export const WAIT_FOR_DEFAULT_MS = 10_000;

const waitFor = vi.waitFor.bind(vi);
vi.waitFor = ((callback, options) =>
  waitFor(callback, typeof options === 'number' ? options : { timeout: WAIT_FOR_DEFAULT_MS, ...options })) as typeof vi.waitFor;
