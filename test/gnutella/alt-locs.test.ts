import { describe, expect, it } from 'vitest';
import { AltLocs, MAX_BAD_PER_FILE, MAX_GOOD_PER_FILE, MAX_MESH_FILES } from '../../protocols/gnutella/alt-locs.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('alternate-location memory (spec 5.2)', () => {
  it('newest first; hearsay does not clear a bad mark, serving does; X-Nalt hearsay drops a good one', () => {
    const m = new AltLocs();
    expect(m.heard(A, '1.1.1.1:6346')).toBe(true);
    expect(m.heard(A, '2.2.2.2:6346')).toBe(true);
    expect(m.heard(A, '1.1.1.1:6346')).toBe(false); // known: moved to the front only
    expect(m.good(A, 10)).toEqual(['1.1.1.1:6346', '2.2.2.2:6346']);
    m.failed(A, '1.1.1.1:6346');
    expect(m.good(A, 10)).toEqual(['2.2.2.2:6346']);
    expect(m.bad(A, 10)).toEqual(['1.1.1.1:6346']);
    expect(m.heard(A, '1.1.1.1:6346')).toBe(false);
    expect(m.isBad(A, '1.1.1.1:6346')).toBe(true);
    m.served(A, '1.1.1.1:6346');
    expect(m.good(A, 10)).toEqual(['1.1.1.1:6346', '2.2.2.2:6346']);
    expect(m.bad(A, 10)).toEqual([]);
    m.dropped(A, '2.2.2.2:6346');
    expect(m.good(A, 10)).toEqual(['1.1.1.1:6346']);
    expect(m.isBad(A, '2.2.2.2:6346')).toBe(false);
    expect(m.good(B, 10)).toEqual([]);
    expect(m.good(A.toUpperCase(), 10, (l) => l !== '1.1.1.1:6346')).toEqual([]);
  });

  it('keeps MAX_GOOD_PER_FILE good and MAX_BAD_PER_FILE bad locations per SHA-1, the oldest dropped', () => {
    const m = new AltLocs();
    for (let i = 0; i < MAX_GOOD_PER_FILE + 20; i++) m.heard(A, `10.0.0.${i}:6346`);
    const good = m.good(A, 1000);
    expect(good).toHaveLength(MAX_GOOD_PER_FILE);
    expect(good[0]).toBe(`10.0.0.${MAX_GOOD_PER_FILE + 19}`+':6346');
    expect(good).not.toContain('10.0.0.0:6346');
    for (let i = 0; i < MAX_BAD_PER_FILE + 20; i++) m.failed(A, `10.0.1.${i}:6346`);
    expect(m.bad(A, 1000)).toHaveLength(MAX_BAD_PER_FILE);
    expect(m.isBad(A, '10.0.1.0:6346')).toBe(false);
  });

  it(`remembers at most MAX_MESH_FILES (${MAX_MESH_FILES}) SHA-1s, the least recently used forgotten`, () => {
    const m = new AltLocs();
    const sha = (i: number): string => i.toString(16).padStart(40, '0');
    m.heard(sha(0), '1.1.1.1:6346');
    for (let i = 1; i < MAX_MESH_FILES + 500; i++) {
      m.heard(sha(i), '1.1.1.1:6346');
      if (i % 1000 === 0) m.good(sha(0), 1); // kept in use
    }
    expect(m.files).toBe(MAX_MESH_FILES);
    expect(m.good(sha(0), 1)).toEqual(['1.1.1.1:6346']);
    expect(m.good(sha(1), 1)).toEqual([]);
    expect(m.good(sha(MAX_MESH_FILES + 499), 1)).toEqual(['1.1.1.1:6346']);
  });
});
