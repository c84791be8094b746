import { randomBytes } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partWriter } from '../../src/transfer/part-writer.js';
import { WRITE_SLICE_BYTES } from '../../src/transfer/part-writer-messages.js';
import { tempDir } from '../share/helpers.js';

describe("the part writer's thread", () => {
  let t: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    t = await tempDir('peerdeck-part-writer-');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('appends ranges of a shared ring in the order given, in slices, after what the part holds', async () => {
    const size = 5 * WRITE_SLICE_BYTES + 1234;
    const ring = partWriter.ring(size);
    const mem = Buffer.from(ring.sab);
    randomBytes(size).copy(mem);
    const path = join(t.dir, 'a.part');
    await writeFile(path, 'head');
    const fh = await open(path, 'a');
    try {
      // Two ranges, the later one in memory first; one spans several slices.
      await partWriter.write(ring, fh.fd, [100_000, size - 100_000, 0, 100_000]);
      await partWriter.write(ring, fh.fd, [5, 0, 7, 3]);
    } finally {
      await fh.close();
      partWriter.forget(ring);
    }
    const want = Buffer.concat([Buffer.from('head'), mem.subarray(100_000), mem.subarray(0, 100_000), mem.subarray(7, 10)]);
    expect((await readFile(path)).equals(want)).toBe(true);
  });

  it("a failed write rejects with the system's code, and the next write works", async () => {
    const ring = partWriter.ring(1000);
    const path = join(t.dir, 'b.part');
    await writeFile(path, '');
    const ro = await open(path, 'r');
    try {
      const err = await partWriter.write(ring, ro.fd, [0, 1000]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as { code?: string }).code).toBe('EBADF');
    } finally {
      await ro.close();
    }
    Buffer.from(ring.sab).fill(0x61);
    const fh = await open(path, 'a');
    try {
      await partWriter.write(ring, fh.fd, [0, 10]);
    } finally {
      await fh.close();
      partWriter.forget(ring);
    }
    expect(await readFile(path, 'latin1')).toBe('a'.repeat(10));
  });
});
