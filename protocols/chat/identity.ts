/**
 * A node's identity (issue 14 "Identity"): an Ed25519 key pair kept in the data dir,
 * created on first start (mode 0600, written atomically), and its authority, the 40-hex
 * SHA-1 of the raw 32-byte public key, as PNRP secured names use it.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NetError } from '../../src/errors.js';
import { ensureDir, writeFileAtomic } from '../../src/paths.js';

/** The key file's name in the data dir (PKCS#8 PEM). */
export const IDENTITY_FILE = 'identity.key';
/** DER prefix that turns a raw Ed25519 public key into SubjectPublicKeyInfo (RFC 8410). */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Raw Ed25519 public key and signature sizes (RFC 8032). */
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
/** Public keys kept as KeyObjects for verification (oldest forgotten first). */
export const MAX_KEY_CACHE = 4_096;

/** This node's key pair and authority. */
export interface Identity {
  /** 40 lowercase hex digits: SHA-1 of the raw public key. */
  readonly authority: string;
  /** The raw 32-byte public key, base64url. */
  readonly publicKey: string;
  /** Ed25519 signature of `data`, base64url. */
  sign(data: Buffer): string;
}

/** The authority of a raw public key: 40-hex SHA-1 (issue 14 "Identity"). */
export function authorityOf(rawKey: Buffer): string {
  return createHash('sha1').update(rawKey).digest('hex');
}

function makeIdentity(priv: KeyObject): Identity {
  const der = createPublicKey(priv).export({ type: 'spki', format: 'der' });
  const raw = der.subarray(der.length - PUBLIC_KEY_BYTES);
  return {
    authority: authorityOf(raw),
    publicKey: raw.toString('base64url'),
    sign: (data) => sign(null, data, priv).toString('base64url'),
  };
}

/** A fresh identity that is never stored (tests, benchmarks). */
export function ephemeralIdentity(): Identity {
  return makeIdentity(generateKeyPairSync('ed25519').privateKey);
}

/**
 * Loads the identity from `dataDir`, creating it on first start. A key file that is not an
 * Ed25519 private key is a clear error, never silently replaced (that would change who we are).
 */
export async function loadIdentity(dataDir: string): Promise<Identity> {
  const path = join(dataDir, IDENTITY_FILE);
  let pem: string | undefined;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw NetError.file(err, path);
  }
  if (pem === undefined) {
    const { privateKey } = generateKeyPairSync('ed25519');
    await ensureDir(dataDir);
    await writeFileAtomic(path, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    return makeIdentity(privateKey);
  }
  let priv: KeyObject;
  try {
    priv = createPrivateKey(pem);
  } catch {
    throw NetError.usage(`${path} is not a private key (move it away to make a new identity)`);
  }
  if (priv.asymmetricKeyType !== 'ed25519') throw NetError.usage(`${path} is not an Ed25519 key`);
  return makeIdentity(priv);
}

/** A parsed public key: its KeyObject (parsed once per key, never per line) and its authority. */
interface CachedKey {
  key: KeyObject;
  authority: string;
}
const keyCache = new Map<string, CachedKey | null>();

/** The parsed form of a base64url raw public key, or null when it is no valid key. Cached, bounded. */
function publicKeyOf(b64: string): CachedKey | null {
  const hit = keyCache.get(b64);
  if (hit !== undefined) return hit;
  let entry: CachedKey | null = null;
  const raw = Buffer.from(b64, 'base64url');
  if (raw.length === PUBLIC_KEY_BYTES && raw.toString('base64url') === b64) {
    try {
      entry = { key: createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' }), authority: authorityOf(raw) };
    } catch {
      entry = null;
    }
  }
  if (keyCache.size >= MAX_KEY_CACHE) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(b64, entry);
  return entry;
}

/** Keys in the parsed-key cache now, and whether one is there (its cap is tested: every signed line's sender adds one). */
export const keyCacheState = {
  get size(): number {
    return keyCache.size;
  },
  has: (publicKey: string): boolean => keyCache.has(publicKey),
};

/** The raw signature bytes of a base64url signature, or undefined when it is not 64 bytes. */
function signatureBytes(sig: string): Buffer | undefined {
  const s = Buffer.from(sig, 'base64url');
  return s.length === SIGNATURE_BYTES ? s : undefined;
}

/** Whether `sig` (base64url) is `publicKey`'s (base64url raw) Ed25519 signature of `data`. */
export function verifySignature(publicKey: string, data: Buffer, sig: string): boolean {
  const k = publicKeyOf(publicKey);
  const s = signatureBytes(sig);
  if (!k || !s) return false;
  try {
    return verify(null, data, k.key, s);
  } catch {
    return false;
  }
}

/**
 * verifySignature off the main thread: node runs the Ed25519 check on its libuv thread
 * pool, so a node verifies on every core while the event loop goes on reading
 * (signed-queue.ts keeps the lines in order). `done` is always called later, never inside.
 */
export function verifySignatureAsync(publicKey: string, data: Buffer, sig: string, done: (ok: boolean) => void): void {
  const k = publicKeyOf(publicKey);
  const s = signatureBytes(sig);
  if (!k || !s) {
    queueMicrotask(() => done(false));
    return;
  }
  try {
    verify(null, data, k.key, s, (err, ok) => done(err === null && ok));
  } catch {
    queueMicrotask(() => done(false));
  }
}

/** The authority of a base64url raw public key (cached with the parsed key). */
export function authorityOfKey(publicKey: string): string {
  return publicKeyOf(publicKey)?.authority ?? authorityOf(Buffer.from(publicKey, 'base64url'));
}
