import { describe, expect, it } from 'vitest';
import { RateMeter } from '../../src/transfer/rate-meter.js';
import { findSame } from '../../src/transfer/same-file.js';
import type { Transfer } from '../../src/transfer/transfer-record.js';
import type { DownloadRequest } from '../../src/transfer/transfer-types.js';

const source = { open: () => Promise.reject(new Error('not opened in this test')) };

function queued(id: number, req: DownloadRequest): Transfer {
  return {
    info: { id, direction: 'down', name: req.name, peer: req.peer, protocol: req.protocol, state: 'queued', bytes: 0, total: null, rate: 0, path: null, reason: null },
    req,
    alternates: [],
    copies: [],
    meter: new RateMeter(0),
    lastEmit: 0,
  };
}

/** A request whose name counts how often it is read. */
function counted(n: number, reads: { n: number }): DownloadRequest {
  const name = `track ${n}.mp3`;
  return {
    peer: `10.0.0.${n % 250}:6346`,
    protocol: 'gnutella',
    source,
    sha1: (n + 1).toString(16).padStart(40, '0'),
    get name() {
      reads.n++;
      return name;
    },
  };
}

describe('findSame (is a new download one already queued?)', () => {
  it('finds the same file and the same content under another name', () => {
    const a = queued(1, { name: 'a.mp3', peer: 'p1', protocol: 'x', source, sha1: 'ab'.repeat(20) });
    expect(findSame([a], { name: 'a.mp3', peer: 'p1', protocol: 'x', source })?.how).toBe('same');
    expect(findSame([a], { name: 'a.mp3', peer: 'p2', protocol: 'x', source, sha1: 'AB'.repeat(20) })?.how).toBe('same');
    expect(findSame([a], { name: 'b.mp3', peer: 'p2', protocol: 'x', source, sha1: 'ab'.repeat(20) })?.how).toBe('content');
    expect(findSame([a], { name: 'b.mp3', peer: 'p1', protocol: 'x', source })).toBeUndefined();
  });

  it("reads (and cleans) only the names of downloads that could be the same, not every queued one's", () => {
    // 1000 queued downloads from other peers, with other SHA-1s: none can be the new one, so no name of
    // theirs needs cleaning up (it cleaned all 1000 on every /get).
    const reads = { n: 0 };
    const all = Array.from({ length: 1000 }, (_, i) => queued(i + 1, counted(i, reads)));
    reads.n = 0;
    expect(findSame(all, { name: 'new.mp3', peer: '10.9.9.9:6346', protocol: 'gnutella', source, sha1: 'ff'.repeat(20) })).toBeUndefined();
    expect(reads.n).toBe(0);
    // One of the same SHA-1: only its name is read.
    const hit = findSame(all, { name: 'track 7.mp3', peer: '10.9.9.9:6346', protocol: 'gnutella', source, sha1: (8).toString(16).padStart(40, '0') });
    expect(hit).toMatchObject({ how: 'same', t: { info: { id: 8 } } });
    expect(reads.n).toBeLessThanOrEqual(2);
  });
});
