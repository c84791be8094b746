import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWhois } from '../../protocols/napster/client-whois.js';

describe('whois answers in words (napster.md §4.1 603)', () => {
  it('a 604 as vectors/napster/09 records it', () => {
    expect(describeWhois('alice "User" 16 " #napdev " "Active" 6 0 0 7 "nap v1.5.4"', true)).toBe(
      'alice: User, online 16s, in #napdev, sharing 6 files, 0 downloads, 0 uploads, link speed 7 (cable), client nap v1.5.4',
    );
    expect(describeWhois('bob "Moderator" 3725 " #a #b " "Inactive" 1 2 1 11 "TekNap-1.3g"', true)).toBe(
      'bob: Moderator, online 1h02m, in #a, #b, Inactive, sharing 1 file, 2 downloads, 1 upload, link speed 11, client TekNap-1.3g',
    );
    expect(describeWhois('carol "User" 0 " " "Active" 0 0 0 0 "x"', true)).toBe(
      'carol: User, online 0s, sharing 0 files, 0 downloads, 0 uploads, link speed 0 (unknown), client x',
    );
  });

  it('a 605: the last-seen time, or never', () => {
    expect(describeWhois('napadmin "Elite" 0', false)).toBe('napadmin: Elite, offline, never seen online');
    expect(describeWhois('dave "User" 1796056534', false)).toBe('dave: User, offline, last seen 2026-11-30 16:35 UTC');
  });

  it('anything else is shown as it came', () => {
    expect(describeWhois('alice "User" x " " "Active" 6 0 0 7 "c"', true)).toBe('alice "User" x " " "Active" 6 0 0 7 "c"');
    expect(describeWhois('alice "User', true)).toBe('alice "User');
    expect(describeWhois('dave "User"', false)).toBe('(offline) dave "User"');
  });

  it('never throws, whatever the server sends (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.boolean(), (text, online) => {
        expect(typeof describeWhois(text, online)).toBe('string');
      }),
    );
  });
});
