import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressScope,
  formatAltHeader,
  MAX_ALT_ENTRIES,
  MAX_ALT_HEADER_CHARS,
  MAX_ALT_SENT,
  parseAltHeader,
  parseLongAltHeader,
  sameReach,
} from '../../protocols/gnutella/alt-loc-header.js';
import { base32Encode } from '../../src/share/base32.js';

const LOC = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d{1,5})$/;

function wellFormed(loc: string): boolean {
  const m = LOC.exec(loc);
  return m !== null && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) >= 1 && Number(m[5]) <= 65535;
}

describe('X-Alt header (spec 5.2)', () => {
  it('reads the compact form: port 6346 when omitted, spaces and repeats tolerated, in order', () => {
    expect(parseAltHeader('1.2.3.4:6347, 5.6.7.8,9.9.9.9:1 ,  1.2.3.4:6347')).toEqual(['1.2.3.4:6347', '5.6.7.8:6346', '9.9.9.9:1']);
    // node:http joins a repeated header with ", "
    expect(parseAltHeader(['1.1.1.1', '2.2.2.2:7'])).toEqual(['1.1.1.1:6346', '2.2.2.2:7']);
  });

  it('skips what is no IPv4 location: IPv6, tls= hints, bad octets, ports 0 and 65536, leading zeros, names', () => {
    const v = 'tls=E0, [2001:db8::1]:6346, 256.1.1.1, 1.2.3.4:0, 1.2.3.4:65536, 01.2.3.4, host.example:6346, 1.2.3, 1.2.3.4:-1, 1.2.3.4:65535, 1.2.3.4:';
    expect(parseAltHeader(v)).toEqual(['1.2.3.4:65535']);
    expect(parseAltHeader(undefined)).toEqual([]);
    expect(parseAltHeader('')).toEqual([]);
  });

  it('takes at most MAX_ALT_ENTRIES entries and reads at most MAX_ALT_HEADER_CHARS characters', () => {
    const many = Array.from({ length: 200 }, (_, i) => `10.0.${i >> 8}.${i & 255}:${1000 + i}`).join(',');
    expect(parseAltHeader(many)).toHaveLength(MAX_ALT_ENTRIES);
    const late = `${' '.repeat(MAX_ALT_HEADER_CHARS)},1.2.3.4`;
    expect(parseAltHeader(late)).toEqual([]);
  });

  it('writes the compact form, 6346 left out, at most MAX_ALT_SENT entries', () => {
    expect(formatAltHeader(['1.2.3.4:6346', '5.6.7.8:6347'])).toBe('1.2.3.4, 5.6.7.8:6347');
    const many = Array.from({ length: 30 }, (_, i) => `1.1.1.${i}:6346`);
    expect(formatAltHeader(many).split(', ')).toHaveLength(MAX_ALT_SENT);
  });

  it('reads the HUGE 0.94 long form for this file only', () => {
    const sha1 = createHash('sha1').update('x').digest('hex');
    const other = createHash('sha1').update('y').digest('hex');
    const urn = (h: string): string => `urn:sha1:${base32Encode(Buffer.from(h, 'hex'))}`;
    const v = `http://1.2.3.4:6348/uri-res/N2R?${urn(sha1)} 2002-04-30T08:30Z, http://5.6.7.8/uri-res/N2R?${urn(sha1)}, http://9.9.9.9:1/uri-res/N2R?${urn(other)}, http://1.2.3.4:0/uri-res/N2R?${urn(sha1)}`;
    expect(parseLongAltHeader(v, sha1)).toEqual(['1.2.3.4:6348', '5.6.7.8:6346']);
  });

  it('scopes: loopback and private reach only their own kind of peer; 0/8 and multicast nobody', () => {
    expect(['127.0.0.1', '10.1.2.3', '192.168.1.1', '172.20.0.1', '8.8.8.8', '0.1.2.3', '224.0.0.1', '255.255.255.255', '198.51.100.7', '100.64.1.1', 'x'].map(addressScope)).toEqual([
      'loopback', 'private', 'private', 'private', 'public', 'none', 'none', 'none', 'none', 'private', 'none',
    ]);
    expect(sameReach('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(sameReach('127.0.0.1', '8.8.8.8')).toBe(false);
    expect(sameReach('192.168.1.2', '10.0.0.1')).toBe(true);
    expect(sameReach('192.168.1.2', '8.8.4.4')).toBe(false);
    expect(sameReach('8.8.8.8', '127.0.0.1')).toBe(true);
    expect(sameReach('0.0.0.0', '0.0.0.0')).toBe(false);
  });

  it('any string, however hostile: never throws, at most MAX_ALT_ENTRIES distinct well-formed locations', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300), fc.option(fc.integer({ min: -2, max: 70_000 }))).map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}${p === null ? '' : `:${p}`}`),
    );
    const value = fc.oneof(fc.string({ maxLength: 10_000 }), fc.array(piece, { maxLength: 400 }).map((a) => a.join(',')), fc.array(fc.string(), { maxLength: 50 }));
    fc.assert(
      fc.property(value, (v) => {
        const out = parseAltHeader(v);
        expect(out.length).toBeLessThanOrEqual(MAX_ALT_ENTRIES);
        expect(new Set(out).size).toBe(out.length);
        for (const loc of out) expect(wellFormed(loc)).toBe(true);
        const long = parseLongAltHeader(v, 'a'.repeat(40));
        expect(long.length).toBeLessThanOrEqual(MAX_ALT_ENTRIES);
        expect(parseAltHeader(formatAltHeader(out))).toEqual(out.slice(0, MAX_ALT_SENT));
      }),
      { numRuns: 500 },
    );
  });
});
