import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/paths.js';
import { GUID_BYTES } from './constants.js';

/** File in the data dir holding our servent GUID (32 hex digits). */
export const GUID_FILE = 'gnutella-guid';

/**
 * A new message or servent GUID: random, with the "modern servent" marks
 * (byte 8 = 0xFF, byte 15 = 0) GTKG still sets (spec 2.3).
 */
export function newGuid(): Buffer {
  const g = randomBytes(GUID_BYTES);
  g[8] = 0xff;
  g[15] = 0;
  return g;
}

/**
 * Our servent GUID, created once and persisted (spec 2.3): a GUID that changes
 * between our hits gets a servent flagged as hostile by gtk-gnutella.
 */
export async function loadServentGuid(dataDir: string): Promise<Buffer> {
  const file = join(dataDir, GUID_FILE);
  try {
    const text = (await readFile(file, 'utf8')).trim();
    if (/^[0-9a-f]{32}$/i.test(text)) return Buffer.from(text, 'hex');
  } catch {
    // first run
  }
  const guid = newGuid();
  await writeFileAtomic(file, guid.toString('hex') + '\n');
  return guid;
}
