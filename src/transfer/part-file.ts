import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NetError } from '../errors.js';
import { MAX_NAME_VARIANTS, nameVariant } from './file-name.js';
import { sizesApart } from '../words.js';

const READ_CHUNK = 1 << 20;

/** What an existing `.part` holds: its length and, when a hash was asked for, the SHA-1 state over those bytes. */
export interface PartState {
  offset: number;
  sha1: Hash | undefined;
}

/**
 * Reads an existing part file (resume): its size is where the download goes on.
 * With `hash`, its bytes seed the running SHA-1 so the final check covers the
 * whole file; without, only its size is read (nothing will be checked, so
 * reading a multi-GB part again would be wasted). A part longer than the
 * expected size cannot be a prefix of it and is dropped.
 */
export async function loadPart(partPath: string, expectedSize: number | null, hash = true): Promise<PartState> {
  const sha1 = hash ? createHash('sha1') : undefined;
  let size: number;
  try {
    size = (await stat(partPath)).size;
  } catch {
    return { offset: 0, sha1 };
  }
  if (expectedSize !== null && size > expectedSize) {
    await unlink(partPath);
    return { offset: 0, sha1 };
  }
  if (!sha1) return { offset: size, sha1 };
  const fh = await open(partPath, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    let pos = 0;
    while (pos < size) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) break;
      sha1.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    return { offset: pos, sha1 };
  } finally {
    await fh.close();
  }
}

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/**
 * Moves a finished part to its final name without ever overwriting: `link()`
 * fails with EEXIST when the name is taken, so `name (1).ext` etc. are tried
 * atomically (issue 4: "a name clash gets a new name, never an overwrite").
 * Where hard links are unsupported it falls back to an exists-check + rename.
 * Returns the final path.
 */
export async function commitPart(partPath: string, dir: string, name: string): Promise<string> {
  for (let n = 0; n < MAX_NAME_VARIANTS; n++) {
    const target = join(dir, nameVariant(name, n));
    try {
      await link(partPath, target);
      await unlink(partPath);
      return target;
    } catch (err) {
      const code = errCode(err);
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') throw err;
      if (await exists(target)) continue;
      await rename(partPath, target);
      return target;
    }
  }
  throw NetError.limit(`no free name for ${name} after ${MAX_NAME_VARIANTS} tries`);
}

/**
 * A finished file copied to a new name (another name asked for the same
 * content): copied to `partPath` (a clone where the file system can), its
 * length checked, then committed like a download. Returns the final path.
 */
export async function commitCopy(from: string, bytes: number, partPath: string, name: string): Promise<string> {
  try {
    await copyFile(from, partPath, constants.COPYFILE_FICLONE);
    const copied = (await stat(partPath)).size;
    if (copied !== bytes) {
      const [has, not] = sizesApart(copied, bytes);
      throw NetError.size(`the copy of ${from} has ${has}, not ${not}`);
    }
    return await commitPart(partPath, dirname(partPath), name);
  } catch (err) {
    await unlink(partPath).catch(() => undefined);
    throw err;
  }
}

/** Whether the part `name` (undefined: none claimed) is on disk in `dir`. */
export async function partExists(dir: string, name: string | undefined): Promise<boolean> {
  return name !== undefined && (await exists(join(dir, name)));
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
