import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptLearned, chooseDials, dialsWanted, peersToShare } from '../../protocols/chat/mesh.js';
import { decideFlood, DuplicateMeter, forwardTargets, hopsTravelled, isDuplicateFlood } from '../../protocols/chat/policy.js';

describe('flood decision', () => {
  it('drops a seen id', () => {
    expect(decideFlood(false, 16, 16)).toEqual({ kind: 'drop-duplicate' });
  });
  it('forwards with hops-1, and not once that reaches 0', () => {
    expect(decideFlood(true, 16, 16)).toEqual({ kind: 'deliver', forwardHops: 15 });
    expect(decideFlood(true, 2, 16)).toEqual({ kind: 'deliver', forwardHops: 1 });
    expect(decideFlood(true, 1, 16)).toEqual({ kind: 'deliver', forwardHops: null });
    expect(decideFlood(true, 0, 16)).toEqual({ kind: 'deliver', forwardHops: null });
  });
  it('caps a neighbour\'s hops-left at our own limit', () => {
    expect(decideFlood(true, 255, 16)).toEqual({ kind: 'deliver', forwardHops: 15 });
  });
  it('hops-left strictly decreases, so a message travels at most maxHops links', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 255 }), (h, max) => {
        let hops = h;
        let links = 1;
        for (;;) {
          const d = decideFlood(true, hops, max);
          if (d.kind !== 'deliver' || d.forwardHops === null) break;
          expect(d.forwardHops).toBeLessThan(hops);
          hops = d.forwardHops;
          links++;
        }
        expect(links).toBeLessThanOrEqual(Math.max(1, max));
      }),
    );
  });
  it('never forwards on the source link', () => {
    expect(forwardTargets(['a', 'b', 'c'], 'b')).toEqual(['a', 'c']);
    expect(forwardTargets(['a', 'b'], undefined)).toEqual(['a', 'b']);
  });
  it('reports hops travelled', () => {
    expect(hopsTravelled(16, 16)).toBe(1);
    expect(hopsTravelled(14, 16)).toBe(3);
    expect(hopsTravelled(200, 16)).toBe(1);
  });
});

describe('duplicate flooder detection', () => {
  it('tolerates a neighbour that sends each message once', () => {
    const m = new DuplicateMeter<string>(10_000, 8);
    for (let i = 0; i < 1000; i++) {
      m.fresh(i);
      expect(m.duplicate('n1', i)).toBe(false);
      expect(m.duplicate('n2', i)).toBe(false);
    }
  });
  it('flags a neighbour that resends the same ids', () => {
    const m = new DuplicateMeter<string>(10_000, 8);
    for (let i = 0; i < 5; i++) m.fresh(i);
    const flags = Array.from({ length: 20 }, (_, i) => m.duplicate('bad', 100 + i));
    expect(flags.indexOf(true)).toBe(5 + 8);
    m.forget('bad');
    expect(m.size).toBe(0);
  });
  it('forgets old windows', () => {
    const m = new DuplicateMeter<string>(1_000, 0);
    m.fresh(0);
    expect(m.duplicate('x', 10)).toBe(false);
    expect(m.duplicate('x', 5_000)).toBe(true); // fresh count from long ago no longer covers it
    expect(isDuplicateFlood(3, 2, 0)).toBe(true);
    expect(isDuplicateFlood(2, 2, 0)).toBe(false);
  });
});

describe('mesh maintenance', () => {
  it('dials toward the target degree within the outbound cap', () => {
    expect(dialsWanted({ linked: 0, outbound: 0, dialling: 0, target: 3, maxOutbound: 7 })).toBe(3);
    expect(dialsWanted({ linked: 2, outbound: 1, dialling: 0, target: 3, maxOutbound: 7 })).toBe(1);
    expect(dialsWanted({ linked: 1, outbound: 0, dialling: 2, target: 3, maxOutbound: 7 })).toBe(0);
    expect(dialsWanted({ linked: 0, outbound: 6, dialling: 0, target: 3, maxOutbound: 7 })).toBe(1);
    expect(dialsWanted({ linked: 5, outbound: 2, dialling: 0, target: 3, maxOutbound: 7 })).toBe(0);
  });
  it('chooses candidates without repeats or excluded ones', () => {
    expect(chooseDials(['a', 'b', 'a', 'c', 'd'], new Set(['b']), 2)).toEqual(['a', 'c']);
  });
  it('shares live addresses first and never the recipient\'s own', () => {
    expect(peersToShare(['x:1', 'y:1'], ['y:1', 'z:1', 'w:1'], 'x:1', 3)).toEqual(['y:1', 'z:1', 'w:1']);
    expect(peersToShare([], ['a:1'], undefined, 5)).toEqual(['a:1']);
  });
});

describe('addresses learned from the network', () => {
  it('takes IP literals, refuses hostnames, multicast and unspecified addresses', () => {
    expect(acceptLearned('10.0.0.5:6350', '10.0.0.9')).toBe(true);
    expect(acceptLearned('[2001:db8::1]:6350', '10.0.0.9')).toBe(true);
    expect(acceptLearned('evil.example.com:6350', '10.0.0.9')).toBe(false);
    expect(acceptLearned('239.255.63.50:6350', '10.0.0.9')).toBe(false);
    expect(acceptLearned('0.0.0.0:6350', '10.0.0.9')).toBe(false);
    expect(acceptLearned('[::]:6350', '10.0.0.9')).toBe(false);
    expect(acceptLearned('nonsense', '10.0.0.9')).toBe(false);
  });
  it('takes loopback addresses only from a loopback peer', () => {
    expect(acceptLearned('127.0.0.1:22', '10.0.0.9')).toBe(false);
    expect(acceptLearned('[::1]:22', '10.0.0.9')).toBe(false);
    expect(acceptLearned('127.0.0.1:6351', '127.0.0.1')).toBe(true);
    expect(acceptLearned('127.0.0.1:6351', '::1')).toBe(true);
  });
});
