import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { META_ANSWER, META_REQUEST } from '../../protocols/pplus2/constants.js';
import { encodeMetaLines, parseAnswer } from '../../protocols/pplus2/meta.js';
import { checkRemoteName } from '../../src/share/remote-name.js';

const sha = fc.stringMatching(/^[0-9a-f]{40}$/);
const name = fc.string({ minLength: 1, maxLength: 40 }).filter((n) => !/[\r\n\u0000]/.test(n));

describe('the P+2 size/SHA-1 extension (pure)', () => {
  it('parse(encode(files)) = files (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ name, size: fc.nat(), sha1: fc.option(sha, { nil: undefined }) }), { maxLength: 20 }), (files) => {
        const clean = files.map((f) => ({ name: f.name, size: f.size, ...(f.sha1 !== undefined ? { sha1: f.sha1 } : {}) }));
        expect(parseAnswer(encodeMetaLines(clean))).toEqual(clean);
      }),
    );
  });

  it('a plain answer is names with unknown size; junk in an extended answer is dropped, never guessed at (property)', () => {
    expect(parseAnswer(['a.mp3', '12 x b.mp3'])).toEqual([
      { name: 'a.mp3', size: -1 },
      { name: '12 x b.mp3', size: -1 },
    ]);
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 60 }), { maxLength: 20 }), (lines) => {
        const got = parseAnswer([META_ANSWER, ...lines]);
        expect(got.length).toBeLessThanOrEqual(lines.length);
        for (const f of got) {
          expect(Number.isSafeInteger(f.size) && f.size >= 0).toBe(true);
          if (f.sha1 !== undefined) expect(f.sha1).toMatch(/^[0-9a-f]{40}$/);
        }
      }),
    );
  });

  it('the marker and header can never be a P+2 name (plain peers cannot mistake them)', () => {
    expect(checkRemoteName(META_REQUEST)).toBeDefined();
    expect(checkRemoteName(META_ANSWER)).toBeDefined();
  });
});
