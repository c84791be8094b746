import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authProof, makeNonce, verifyProof } from '../../protocols/chat/auth.js';
import { judgeHello, resolveDuplicateLink } from '../../protocols/chat/handshake.js';
import { nodeId } from './arbitraries.js';

const a = { node: 'nodeA', nonce: makeNonce() };
const b = { node: 'nodeB', nonce: makeNonce() };

describe('mesh password proof', () => {
  it('verifies with the right password, fails with a wrong one', () => {
    expect(verifyProof('s3cret', a, b, authProof('s3cret', a, b))).toBe(true);
    expect(verifyProof('s3cret', a, b, authProof('guess', a, b))).toBe(false);
  });

  it('is directional: echoing the other side\'s proof back fails', () => {
    expect(verifyProof('s3cret', b, a, authProof('s3cret', a, b))).toBe(false);
  });

  it('binds both nonces and both node ids', () => {
    const p = authProof('pw', a, b);
    expect(verifyProof('pw', { ...a, nonce: makeNonce() }, b, p)).toBe(false);
    expect(verifyProof('pw', a, { ...b, nonce: makeNonce() }, p)).toBe(false);
    expect(verifyProof('pw', { ...a, node: 'nodeX' }, b, p)).toBe(false);
    expect(verifyProof('pw', a, { ...b, node: 'nodeY' }, p)).toBe(false);
  });

  it('rejects malformed proofs without throwing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (junk) => {
        expect(verifyProof('pw', a, b, junk)).toBe(false);
      }),
    );
  });

  it('nonces are fresh 16-byte hex strings', () => {
    const n = new Set(Array.from({ length: 100 }, makeNonce));
    expect(n.size).toBe(100);
    for (const x of n) expect(x).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('HELLO judgement', () => {
  const us = { node: 'me', mesh: 'lan', hasPassword: false };
  const hello = { type: 'HELLO' as const, node: 'you', nick: 'bob', listen: 1, mesh: 'lan' };

  it('accepts the same mesh', () => {
    expect(judgeHello(hello, us)).toEqual({ ok: true, needAuth: false });
  });
  it('refuses another mesh, ourselves, and password mismatches', () => {
    const v1 = judgeHello({ ...hello, mesh: 'other' }, us);
    expect(!v1.ok && v1.error.code).toBe('WRONG_MESH');
    const v2 = judgeHello({ ...hello, node: 'me' }, us);
    expect(!v2.ok && v2.error.code).toBe('REFUSED');
    const v3 = judgeHello(hello, { ...us, hasPassword: true });
    expect(!v3.ok && v3.error.code).toBe('AUTH_FAILED');
    const v4 = judgeHello({ ...hello, auth: makeNonce() }, us);
    expect(!v4.ok && v4.error.code).toBe('AUTH_FAILED');
    expect(judgeHello({ ...hello, auth: makeNonce() }, { ...us, hasPassword: true })).toEqual({ ok: true, needAuth: true });
  });

  it('both ends of a duplicate link pair keep the same link', () => {
    fc.assert(
      fc.property(nodeId, nodeId, fc.boolean(), (x, y, firstIsXDialled) => {
        fc.pre(x !== y);
        // Link L1 dialled by x, L2 dialled by y. x saw `first` ready first, y may have seen either first.
        const keptByX = (existingIsL1: boolean): 'L1' | 'L2' => {
          const r = resolveDuplicateLink(x, y, existingIsL1 ? 'out' : 'in', existingIsL1 ? 'in' : 'out');
          return (r === 'keep-existing') === existingIsL1 ? 'L1' : 'L2';
        };
        const keptByY = (existingIsL1: boolean): 'L1' | 'L2' => {
          const r = resolveDuplicateLink(y, x, existingIsL1 ? 'in' : 'out', existingIsL1 ? 'out' : 'in');
          return (r === 'keep-existing') === existingIsL1 ? 'L1' : 'L2';
        };
        expect(keptByX(firstIsXDialled)).toBe(keptByY(!firstIsXDialled));
        expect(keptByX(firstIsXDialled)).toBe(keptByY(firstIsXDialled));
      }),
    );
  });
});
