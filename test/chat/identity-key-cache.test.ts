/**
 * The cache of parsed public keys (protocols/chat/identity.ts) grows with remote input: every
 * signed line names its sender's key, and a hostile peer can sign with a new key each line.
 * It keeps MAX_KEY_CACHE keys at most and forgets the oldest first.
 */
import { describe, expect, it } from 'vitest';
import { authorityOf, authorityOfKey, ephemeralIdentity, keyCacheState, MAX_KEY_CACHE, verifySignature } from '../../protocols/chat/identity.js';

/** The i-th of many distinct raw 32-byte keys, base64url (valid curve points or not: both are cached). */
function key(i: number): string {
  const raw = Buffer.alloc(32, 0x5a);
  raw.writeUInt32BE(i, 0);
  return raw.toString('base64url');
}

describe('the parsed public key cache', () => {
  it('stays at its cap past it, forgetting the oldest key first; a forgotten key still verifies', () => {
    const me = ephemeralIdentity();
    const line = Buffer.from('hello');
    const sig = me.sign(line);
    expect(verifySignature(me.publicKey, line, sig)).toBe(true);
    expect(keyCacheState.has(me.publicKey)).toBe(true);
    const start = keyCacheState.size;
    // Fill up to the cap: nothing is forgotten yet.
    for (let i = 0; keyCacheState.size < MAX_KEY_CACHE; i++) authorityOfKey(key(i));
    const filled = MAX_KEY_CACHE - start;
    expect(keyCacheState.has(me.publicKey)).toBe(true);
    // One more: the oldest (ours, the first) goes, the next oldest stays.
    authorityOfKey(key(filled));
    expect(keyCacheState.size).toBe(MAX_KEY_CACHE);
    expect(keyCacheState.has(me.publicKey)).toBe(false);
    expect(keyCacheState.has(key(0))).toBe(true);
    // A cap's worth more: still at the cap, holding exactly the newest MAX_KEY_CACHE keys.
    for (let i = filled + 1; i <= filled + MAX_KEY_CACHE; i++) authorityOfKey(key(i));
    expect(keyCacheState.size).toBe(MAX_KEY_CACHE);
    expect(keyCacheState.has(key(filled + MAX_KEY_CACHE))).toBe(true);
    expect(keyCacheState.has(key(filled + 1))).toBe(true);
    expect(keyCacheState.has(key(filled))).toBe(false);
    // A forgotten key is parsed again when it comes back, and still verifies.
    expect(verifySignature(me.publicKey, line, sig)).toBe(true);
    expect(authorityOfKey(me.publicKey)).toBe(authorityOf(Buffer.from(me.publicKey, 'base64url')));
    expect(keyCacheState.size).toBe(MAX_KEY_CACHE);
  }, 60_000);
});
