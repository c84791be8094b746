import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaderBlockDecoder } from '../../src/codec/header-block-decoder.js';
import { decodeAll } from '../../src/codec/decoder.js';
import { NetError } from '../../src/errors.js';
import { MAX_HEADER_BLOCK } from '../../protocols/gnutella/constants.js';
import { encodeGiv, isGiv, MAX_GIV_LINE, parseGiv, type Giv } from '../../protocols/gnutella/giv.js';
import { everySplit, splitAt } from '../chunking.js';

const GUID = Buffer.from('0123456789ABCDEFFF0000000000AA00', 'hex');

/** The acceptor's path: header blocks off the socket (bounded), the first one parsed as a GIV. */
function decodeGiv(chunks: Buffer[]): Giv[] {
  const dec = new HeaderBlockDecoder(MAX_HEADER_BLOCK);
  return chunks.flatMap((c) => decodeAll(dec, c)).map((lines) => parseGiv(lines));
}

describe('GIV (spec 4.4)', () => {
  it('writes the spec 7.5 vector byte for byte (lower-case hex, two LF, no CR)', () => {
    expect(encodeGiv({ index: 0, serventGuid: GUID, name: 'file' }).toString('latin1')).toBe('GIV 0:0123456789abcdefff0000000000aa00/file\n\n');
    expect(encodeGiv({ index: 0, serventGuid: GUID, name: 'file' }).toString('latin1')).toBe(`GIV 0:${GUID.toString('hex')}/file\n\n`);
  });

  it("reads LimeWire's upper-case form and gtk-gnutella's lower-case one", () => {
    for (const line of ['GIV 0:0123456789ABCDEFFF0000000000AA00/file', 'GIV 0:0123456789abcdefff0000000000aa00/file']) {
      const g = parseGiv([line]);
      expect(g.index).toBe(0);
      expect(g.serventGuid.equals(GUID)).toBe(true);
    }
    expect(parseGiv(['GIV 4294967295:0123456789abcdefff0000000000aa00/Some name.mp3']).index).toBe(4294967295);
  });

  it('keeps a UTF-8 name and writes `file` for one with a line break', () => {
    const bytes = encodeGiv({ index: 7, serventGuid: GUID, name: 'é ü.txt' });
    expect(decodeGiv([bytes])[0]!.name).toBe('é ü.txt');
    expect(encodeGiv({ index: 7, serventGuid: GUID, name: 'a\nb' }).toString()).toContain('/file\n\n');
    expect(encodeGiv({ index: 7, serventGuid: GUID, name: 'x'.repeat(2_000) }).toString()).toContain('/file\n\n');
  });

  it('refuses what is not a GIV with BAD_MESSAGE', () => {
    for (const line of ['GIV', 'GIV :0123456789abcdefff0000000000aa00/f', 'GIV 1:0123/f', 'GIV 1:0123456789abcdefff0000000000aa0g/f', 'GIV 1 0123456789abcdefff0000000000aa00/f', 'GIV 99999999999:0123456789abcdefff0000000000aa00/f', 'GIV 4294967296:0123456789abcdefff0000000000aa00/f', 'GET / HTTP/1.1']) {
      expect(() => parseGiv([line]), line).toThrowError(expect.objectContaining({ code: 'BAD_MESSAGE' }));
    }
    expect(() => parseGiv([`GIV 1:${GUID.toString('hex')}/${'x'.repeat(MAX_GIV_LINE)}`])).toThrowError(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
    expect(isGiv('GIV 1:')).toBe(true);
    expect(isGiv('GNUTELLA CONNECT/0.6')).toBe(false);
  });

  it('gives the same GIV for every split point and byte by byte', () => {
    const bytes = encodeGiv({ index: 42, serventGuid: GUID, name: 'song.ogg' });
    for (const chunks of everySplit(bytes)) expect(decodeGiv(chunks)).toEqual([{ index: 42, serventGuid: GUID, name: 'song.ogg' }]);
  });

  it('decode(encode(g)) = g under any chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffff_ffff }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.string({ maxLength: 60 }).filter((s) => !/[\r\n]/.test(s)),
        fc.array(fc.nat(), { maxLength: 8 }),
        (index, guid, name, cuts) => {
          const g = { index, serventGuid: Buffer.from(guid), name };
          const got = decodeGiv(splitAt(encodeGiv(g), cuts));
          expect(got).toHaveLength(1);
          expect(got[0]!.index).toBe(index);
          expect(got[0]!.serventGuid.equals(g.serventGuid)).toBe(true);
          expect(got[0]!.name).toBe(Buffer.from(name, 'utf8').toString('utf8'));
        },
      ),
    );
  });

  it('random bytes give GIVs or a NetError, nothing else (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const input = Buffer.concat([Buffer.from('GIV '), Buffer.from(bytes), Buffer.from('\n\n')]);
        try {
          for (const g of decodeGiv(splitAt(input, cuts))) expect(g.serventGuid).toHaveLength(16);
        } catch (err) {
          expect(err).toBeInstanceOf(NetError);
        }
      }),
    );
  });

  it('an endless line is cut off at the block limit, before it is buffered further', () => {
    const dec = new HeaderBlockDecoder(MAX_HEADER_BLOCK);
    let thrown: unknown;
    try {
      for (let i = 0; i < 64; i++) decodeAll(dec, Buffer.alloc(1_024, 0x41));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'FRAME_TOO_LARGE' });
    expect(dec.buffered).toBeLessThanOrEqual(MAX_HEADER_BLOCK + 1_024);
  });
});
