import { join, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRemoteName } from '../../src/share/remote-name.js';
import { HOSTILE_NAMES } from './hostile-names.js';

const ROOT = '/srv/share';

describe('checkRemoteName', () => {
  it('accepts plain names and, when allowed, plain sub-paths', () => {
    expect(checkRemoteName('song.mp3')).toBeUndefined();
    expect(checkRemoteName('Björk - Jóga (100% live).mp3')).toBeUndefined();
    expect(checkRemoteName('a/b.txt')?.code).toBe('PATH');
    expect(checkRemoteName('a/b.txt', { allowSubpath: true })).toBeUndefined();
  });

  it('refuses the hostile names that carry path tricks', () => {
    const tricks = HOSTILE_NAMES.filter((n) => /[\\/%\u0000-\u001f]|\.\.|^\.|^ | $|^$|\u2215|\uff0e|^[a-z]:/i.test(n));
    expect(tricks.length).toBeGreaterThan(30);
    for (const n of tricks) expect(checkRemoteName(n), JSON.stringify(n)).toBeDefined();
    // with sub-paths allowed, only a plain path under the root passes the pure check (the library then refuses unknown ones)
    expect(tricks.filter((n) => checkRemoteName(n, { allowSubpath: true }) === undefined)).toEqual(['dir-link/secret.txt']);
  });

  it('never lets an accepted name leave the root (random strings)', () => {
    const chars = fc.constantFrom('.', '/', '\\', '%', '2', 'e', 'f', 'a', '\u0000', ' ', '~', ':', 'C', '\uff0e');
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 24 }), fc.boolean(), (name, allowSubpath) => {
        if (checkRemoteName(name, { allowSubpath }) !== undefined) return;
        const full = resolve(join(ROOT, name));
        expect(full.startsWith(ROOT + sep)).toBe(true);
        expect(name.includes('\\')).toBe(false);
        expect(name.split('/').includes('..')).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary Unicode', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), (name) => void checkRemoteName(name)));
  });
});
