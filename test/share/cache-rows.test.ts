import { join } from 'node:path';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheRowChunks, encodeRows, MAX_CHUNK_BYTES, SLICE_ROWS, type ChunkedRow, type MaybeRow } from '../../src/share/cache-rows.js';
import { encodeHashCache, formatRow, HASH_CACHE_FILE, parseHashCache, type CacheRow } from '../../src/share/hash-cache.js';
import { ShareLibrary } from '../../src/share/share-library.js';
import { cacheRow, tempDir } from './helpers.js';

/** `work`'s result, and how many turns of the event loop other callbacks got while it ran. */
async function countingTurns<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let done = false;
  const spin = (): void => {
    if (done) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  const value = await work();
  done = true;
  return { value, turns };
}

/** A row with awkward paths: non-ASCII, a backslash, a newline, long. */
function row(i: number): ChunkedRow {
  const paths = [`/s/album ${i % 7}/track ${i}.mp3`, `/s/трек ${i}\\n.mp3`, `/s/line\nbreak ${i}`, `/s/${'é'.repeat(i % 300)}x${i}`];
  return { ...cacheRow(i, paths[i % paths.length]!), rowChunk: -1, rowAt: 0 };
}

/** A file not hashed yet: no hashes, in no chunk. */
function unhashed(i: number): MaybeRow {
  const { sha1: _s, md5: _m, ...rest } = row(i);
  return { ...rest, path: `/s/unhashed ${i}` };
}

describe('CacheRowChunks (cache rows encoded while hashing)', () => {
  it('gives the bytes of formatting every row, whichever rows were encoded early, in whatever order, and whichever left since', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 299 }), { maxLength: 30 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 299 }), { maxLength: 30 }),
        (batchSizes, encodedEarly, gone, shuffle, unhashedAfter) => {
          const rows = Array.from({ length: batchSizes.reduce((a, b) => a + b, 0) }, (_, i) => row(i));
          const chunks = new CacheRowChunks();
          // Batches as hashing returns them, some encoded then, some (a chunk dropped, a cap reached) not.
          const batches: ChunkedRow[][] = [];
          let at = 0;
          for (const n of batchSizes) {
            batches.push(rows.slice(at, at + n));
            at += n;
          }
          if (shuffle) batches.reverse(); // two workers: batches come back in any order
          batches.forEach((b, k) => encodedEarly[k % encodedEarly.length] && chunks.add(b));
          // Files that left or changed since are not saved; the rest keep scan order.
          const kept = rows.filter((_, i) => !gone.includes(i));
          const bytes = chunks.encode(kept);
          expect(bytes.equals(encodeHashCache(kept))).toBe(true);
          expect([...parseHashCache(bytes.toString()).rows.keys()]).toEqual(kept.map((r) => r.path));
          // Files not hashed yet, anywhere between them (inside a chunk's run too), have no row.
          const withUnhashed: MaybeRow[] = kept.flatMap((r, i) => (unhashedAfter.includes(i) ? [r, unhashed(i)] : [r]));
          expect(Buffer.concat(chunks.pieces(withUnhashed)).equals(bytes)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same bytes in slices, letting the event loop run between them', async () => {
    const chunks = new CacheRowChunks();
    const rows = Array.from({ length: 2 * SLICE_ROWS + 100 }, (_, i) => row(i % 50_000));
    chunks.add(rows.slice(SLICE_ROWS, SLICE_ROWS + 500)); // a run kept from hashing, amid rows to format
    const withUnhashed: MaybeRow[] = rows.flatMap((r, i) => (i % 1000 === 7 ? [r, unhashed(i)] : [r]));
    const { value: sliced, turns } = await countingTurns(() => chunks.piecesInSlices(withUnhashed));
    expect(Buffer.concat(sliced).equals(Buffer.concat(chunks.pieces(withUnhashed)))).toBe(true);
    // Formatted in one go, no other callback could have run meanwhile; here others ran between the slices.
    expect(turns).toBeGreaterThan(0);
    expect([...parseHashCache(Buffer.concat(sliced).toString()).rows.keys()]).toEqual(rows.map((r) => r.path));
  });

  it('lets the event loop run after every 1,024 rows formatted, so I/O awaited meanwhile waits about a millisecond a step', async () => {
    expect(SLICE_ROWS).toBeLessThanOrEqual(1024);
    const chunks = new CacheRowChunks();
    const rows = Array.from({ length: 4096 }, (_, i) => row(i));
    const { turns } = await countingTurns(() => chunks.piecesInSlices(rows));
    // 4,096 rows to format: at least three turns between the slices (none in slices of 8,192).
    expect(turns).toBeGreaterThanOrEqual(3);
  });

  it('formats every row once it is cleared, and keeps no more than MAX_CHUNK_BYTES', () => {
    const chunks = new CacheRowChunks();
    const rows = Array.from({ length: 50 }, (_, i) => row(i));
    chunks.add(rows);
    expect(rows.every((r) => r.rowChunk === 0)).toBe(true);
    chunks.clear();
    expect(chunks.encode(rows).equals(encodeHashCache(rows))).toBe(true);

    const big: ChunkedRow = { ...row(3), path: `/s/${'x'.repeat(MAX_CHUNK_BYTES)}` };
    chunks.add([big]);
    const next = row(4);
    chunks.add([next]);
    expect(next.rowChunk).toBe(-1); // over the cap: left to be formatted at the save
    expect(chunks.encode([big, next]).equals(encodeHashCache([big, next]))).toBe(true);
  });
});

describe('encodeRows (rows written as bytes, no string per row)', () => {
  it('gives exactly the UTF-8 of formatRow, row by row, for any fields (odd numbers, non-ASCII, escapes, lone surrogates, odd hash lengths)', () => {
    const hex = (n: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
    const number = fc.oneof(
      fc.nat(),
      fc.maxSafeNat(),
      fc.double(),
      fc.constantFrom(0, -1, 2 ** 53, 2 ** 64, 1e21, 1.5e-7, -0, 1_764_484_000_123.4567, Number.MAX_VALUE, Number.MIN_VALUE),
    );
    const path = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'/ab .-_09\\\n'), maxLength: 60 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('\ud800', '\udc00', 'é', '東', '😀', '/x'), maxLength: 20 }),
    );
    const row: fc.Arbitrary<CacheRow> = fc.record({
      path,
      size: number,
      mtimeMs: number,
      ctimeMs: fc.oneof(number, fc.constant(-1)),
      ino: number,
      sha1: fc.oneof({ weight: 4, arbitrary: hex(40) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 44 }) }),
      md5: fc.oneof({ weight: 4, arbitrary: hex(32) }, { weight: 1, arbitrary: fc.string({ maxLength: 34 }) }),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), (rows) => {
        const { bytes, ends } = encodeRows(rows);
        expect(bytes.equals(Buffer.from(rows.map(formatRow).join(''), 'utf8'))).toBe(true);
        let start = 0;
        rows.forEach((r, i) => {
          expect(bytes.subarray(start, ends[i]).toString('utf8')).toBe(Buffer.from(formatRow(r), 'utf8').toString('utf8'));
          start = ends[i]!;
        });
      }),
      { numRuns: 400 },
    );
  });

  it('writes a batch larger than its first scratch buffer', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => cacheRow(i, `/s/${'p'.repeat(i % 500)}/track ${i}.mp3`));
    expect(encodeRows(rows).bytes.equals(Buffer.from(rows.map(formatRow).join(''), 'utf8'))).toBe(true);
  });
});

describe('the hash cache a first scan writes', () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (t = await tempDir()));
  afterEach(() => t.cleanup());

  it('is every file formatted in scan order, from rows encoded while hashing, also after a rescan that changed some', async () => {
    const root = join(t.dir, 'share');
    const data = join(t.dir, 'data');
    for (let d = 0; d < 5; d++) {
      await mkdir(join(root, `dir ${d}`), { recursive: true });
      for (let i = 0; i < 60; i++) await writeFile(join(root, `dir ${d}`, i % 9 === 0 ? `трек\\${i}` : `f${i}.bin`), `content ${d} ${i}`);
    }
    const lib = new ShareLibrary({ roots: [root], dataDir: data, scanPartFiles: 37 });
    try {
      const expectFileMatches = async (): Promise<void> => {
        const bytes = await readFile(join(data, HASH_CACHE_FILE));
        const rows = [...parseHashCache(bytes.toString()).rows.values()];
        expect(rows).toHaveLength(lib.files);
        const byPath = new Map([...lib.entries()].map((e) => [e.path, e]));
        for (const r of rows) expect(r).toMatchObject({ sha1: byPath.get(r.path)?.sha1, md5: byPath.get(r.path)?.md5, size: byPath.get(r.path)?.size });
        expect(bytes.equals(encodeHashCache(rows.map((r) => ({ ...r }))))).toBe(true);
      };
      await lib.start();
      await lib.whenHashed();
      await expectFileMatches();
      await writeFile(join(root, 'dir 2', 'f5.bin'), 'changed since');
      await writeFile(join(root, 'dir 4', 'new.bin'), 'new');
      await lib.rescan();
      await lib.whenHashed();
      await expectFileMatches();
      expect(lib.byName('f5.bin')).toBeDefined();
    } finally {
      await lib.stop();
    }
  });
});
