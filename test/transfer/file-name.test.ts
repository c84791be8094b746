import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LOCAL_NAME_BYTES, nameVariant, sanitizeDownloadName } from '../../src/transfer/file-name.js';

describe('sanitizeDownloadName', () => {
  it('keeps the last segment and strips dangerous characters', () => {
    expect(sanitizeDownloadName('song.mp3')).toBe('song.mp3');
    expect(sanitizeDownloadName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeDownloadName('C:\\Music\\a.mp3')).toBe('a.mp3');
    expect(sanitizeDownloadName('..')).toBe('download');
    expect(sanitizeDownloadName('.bashrc')).toBe('bashrc');
    expect(sanitizeDownloadName('a\u0000b\nc.txt')).toBe('abc.txt');
    expect(sanitizeDownloadName('what?.txt')).toBe('what_.txt');
    expect(sanitizeDownloadName('x.part')).toBe('x.part_');
    expect(sanitizeDownloadName('dir/')).toBe('download');
  });

  it('always gives a short, plain, visible name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        const n = sanitizeDownloadName(s);
        expect(n.length).toBeGreaterThan(0);
        expect(Buffer.byteLength(n)).toBeLessThanOrEqual(MAX_LOCAL_NAME_BYTES);
        expect(n).not.toMatch(/[/\\\u0000-\u001f]/);
        expect(n.startsWith('.')).toBe(false);
        expect(n.toLowerCase().endsWith('.part')).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps the extension when it has to cut', () => {
    const n = sanitizeDownloadName('é'.repeat(300) + '.flac');
    expect(n.endsWith('.flac')).toBe(true);
    expect(Buffer.byteLength(n)).toBeLessThanOrEqual(MAX_LOCAL_NAME_BYTES);
  });
});

describe('nameVariant', () => {
  it('numbers before the extension', () => {
    expect(nameVariant('a.mp3', 0)).toBe('a.mp3');
    expect(nameVariant('a.mp3', 1)).toBe('a (1).mp3');
    expect(nameVariant('README', 2)).toBe('README (2)');
    expect(nameVariant('a.tar.gz', 1)).toBe('a.tar (1).gz');
  });
});
