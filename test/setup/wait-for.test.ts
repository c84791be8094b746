import { describe, expect, it, vi } from 'vitest';
import { WAIT_FOR_DEFAULT_MS } from './wait-for.js';

describe('vi.waitFor in this suite', () => {
  it('waits past vitest’s own 1 s when no timeout is given', async () => {
    const t0 = Date.now();
    await vi.waitFor(() => expect(Date.now() - t0).toBeGreaterThan(1_500));
    expect(WAIT_FOR_DEFAULT_MS).toBeGreaterThan(1_500);
  });

  it('keeps a timeout given by the test', async () => {
    const t0 = Date.now();
    await expect(vi.waitFor(() => expect(false).toBe(true), { timeout: 200, interval: 20 })).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(WAIT_FOR_DEFAULT_MS);
  });
});
