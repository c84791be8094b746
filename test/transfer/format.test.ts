import { describe, expect, it } from 'vitest';
import { formatTransfer } from '../../src/transfer/format.js';
import { NetError } from '../../src/errors.js';
import { formatSize } from '../../src/words.js';
import type { TransferInfo } from '../../src/transfer/transfer-types.js';

describe('/downloads and /shares sizes', () => {
  it('are powers of 1024 named as such (KiB, MiB), as the TUI shows them', () => {
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(5 * 1024 * 1024)).toBe('5.0 MiB'); // 5.2 MB: calling it "5.0 MB" was wrong
    expect(formatSize(3 * 1024 ** 3)).toBe('3.0 GiB');
  });

  it('a /downloads line, its sizes and rate as the TUI and headless progress lines say them (one formatter)', () => {
    const t: TransferInfo = { id: 3, direction: 'down', name: 'song.mp3', peer: '127.0.0.1:6002', protocol: 'pplus2', state: 'active', bytes: 1258291, total: 2726298, rate: 327680, path: null, reason: null };
    expect(formatTransfer(t)).toBe('#3 down 46% 1.2 MiB/2.6 MiB 320 KiB/s active song.mp3 <- 127.0.0.1:6002 [pplus2]');
  });

  it('a cut-short download says how far it got in sizes, in bytes only where the sizes would read alike', () => {
    const MiB = 1024 * 1024;
    expect(NetError.incomplete(1258291, 4 * MiB).message).toBe('the source stopped after 1.2 MiB of 4.0 MiB (part kept for /retry)');
    expect(NetError.incomplete(4 * MiB - 3, 4 * MiB).message).toBe('the source stopped after 4194301 B of 4194304 B (part kept for /retry)');
    expect(NetError.incomplete(0, 700).message).toBe('the source stopped after 0 B of 700 B (part kept for /retry)');
  });

  it('a failed or cancelled row says why in the words its failed line used, not the error code and errno', () => {
    const base: TransferInfo = { id: 1, direction: 'down', name: 'film.mkv', peer: '127.0.0.1:43771', protocol: 'pplus2', state: 'failed', bytes: 0, total: 2_000_000, rate: 0, path: null, reason: null };
    // It said `(SOCKET: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:43773)` while the failed line said this.
    expect(formatTransfer({ ...base, reason: 'SOCKET: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:43773' })).toBe(
      '#1 down 0% 0 B/1.9 MiB failed film.mkv <- 127.0.0.1:43771 [pplus2] (the peer is not answering (connection refused))',
    );
    expect(formatTransfer({ ...base, reason: 'TIMEOUT: no data for 30000 ms' })).toMatch(/ \(the peer did not answer in time\)$/);
    // Cancelled by the user: the state says it; cancelled by shutdown: that is said.
    expect(formatTransfer({ ...base, state: 'cancelled', reason: 'CLOSED: cancelled', sameAs: 4 })).toBe('#1 down 0% 0 B/1.9 MiB cancelled film.mkv <- 127.0.0.1:43771 [pplus2]');
    expect(formatTransfer({ ...base, state: 'cancelled', reason: 'CLOSED: shutting down' })).toMatch(/cancelled film\.mkv .* \(shutting down\)$/);
  });
});

