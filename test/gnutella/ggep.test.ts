import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetError } from '../../src/errors.js';
import { cobsDecode, cobsEncode } from '../../protocols/gnutella/cobs.js';
import { decodeGgep, decodeMinimalLe, encodeGgep, encodeGgepLength, encodeMinimalLe, ggepGet } from '../../protocols/gnutella/ggep.js';
import { packHosts, unpackHosts } from '../../protocols/gnutella/ipv4.js';
import { hex, SPEC_GGEP_BH, SPEC_GGEP_H_ABC, SPEC_GGEP_IPP, SPEC_GGEP_PONG } from './fixtures.js';

describe('GGEP length encoding (spec 7.4)', () => {
  it.each([
    [0, '40'],
    [63, '7f'],
    [64, '8140'],
    [4095, 'bf7f'],
    [4096, '818040'],
    [262143, 'bfbf7f'],
  ])('%i -> %s', (n, want) => {
    expect(encodeGgepLength(n).toString('hex')).toBe(want);
    const block = Buffer.concat([hex('c3 81 41'), encodeGgepLength(n), Buffer.alloc(n)]);
    expect(decodeGgep(block).extensions[0]!.data.length).toBe(n);
  });
});

describe('GGEP blocks of spec 7.4', () => {
  it('the pong block: DU 3600, UP (0, 30, 4), VC GTKG 0x1A, byte-exact both ways', () => {
    const exts = [
      { id: 'DU', data: encodeMinimalLe(3600) },
      { id: 'UP', data: hex('00 1e 04') },
      { id: 'VC', data: Buffer.concat([Buffer.from('GTKG'), hex('1a')]) },
    ];
    expect(encodeGgep(exts)).toEqual(SPEC_GGEP_PONG);
    const back = decodeGgep(SPEC_GGEP_PONG);
    expect(back.end).toBe(SPEC_GGEP_PONG.length);
    expect(back.extensions).toEqual(exts);
    expect(decodeMinimalLe(ggepGet(back.extensions, 'DU')!)).toBe(3600);
  });

  it('BH, H and IPP', () => {
    expect(encodeGgep([{ id: 'BH', data: Buffer.alloc(0) }])).toEqual(SPEC_GGEP_BH);
    expect(encodeGgep([{ id: 'H', data: hex('01 a9993e364706816aba3e25717850c26c9cd0d89d') }])).toEqual(SPEC_GGEP_H_ABC);
    const ipp = decodeGgep(SPEC_GGEP_IPP).extensions[0]!;
    expect(ipp.id).toBe('IPP');
    expect(unpackHosts(ipp.data)).toEqual([
      { ip: '1.2.3.4', port: 6346 },
      { ip: '10.0.0.1', port: 6347 },
    ]);
    expect(packHosts(unpackHosts(ipp.data))).toEqual(ipp.data);
  });

  it('COBS and deflate flags decode to the original data', () => {
    const data = Buffer.from('aaaa\0bbbb\0\0'.repeat(30));
    const block = encodeGgep([{ id: 'XQ', data, cobs: true, deflate: true }]);
    expect(block[1]! & 0x60).toBe(0x60);
    expect(block.subarray(1).includes(0)).toBe(false);
    expect(decodeGgep(block).extensions[0]!.data).toEqual(data);
  });
});

describe('GGEP hostile input', () => {
  const bad = {
    'truncated data': hex('c3 82 42 48 45 01 02'),
    'truncated length': hex('c3 82 42 48 81'),
    'no last extension': hex('c3 02 42 48 40'),
    'reserved flag': hex('c3 92 42 48 40'),
    'id of length 0': hex('c3 80 40'),
    'length byte without more/last bit': hex('c3 82 42 48 01 40'),
    'four length bytes': hex('c3 82 42 48 81 81 81 40'),
    'NUL in the id': hex('c3 82 42 00 40'),
    'COBS data with a NUL': hex('c3 c2 42 48 42 00 01'),
    'deflate flag over no zlib data': hex('c3 a2 42 48 40'),
  };
  it.each(Object.entries(bad))('%s -> BAD_MESSAGE', (_name, bytes) => {
    expect(() => decodeGgep(bytes)).toThrowError(expect.objectContaining({ code: 'BAD_MESSAGE' }));
  });

  it('a deflated value that inflates past 64 KiB is refused', () => {
    const block = encodeGgep([{ id: 'Z', data: Buffer.alloc(1024 * 1024), deflate: true }]);
    expect(block.length).toBeLessThan(2000);
    expect(() => decodeGgep(block)).toThrowError(expect.objectContaining({ code: 'BAD_MESSAGE' }));
  });

  it('random bytes after the magic give a block or a NetError (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          const b = decodeGgep(Buffer.concat([hex('c3'), Buffer.from(bytes)]));
          expect(b.end).toBeLessThanOrEqual(bytes.length + 1);
        } catch (err) {
          expect(err).toBeInstanceOf(NetError);
        }
      }),
    );
  });
});

describe('GGEP properties', () => {
  const ext = fc.record({
    id: fc.stringMatching(/^[A-Za-z0-9_]{1,15}$/),
    data: fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
    cobs: fc.boolean(),
    deflate: fc.boolean(),
  });

  it('decode(encode(block)) = block, whatever the flags', () => {
    fc.assert(
      fc.property(fc.array(ext, { minLength: 1, maxLength: 6 }), (exts) => {
        const enc = encodeGgep(exts);
        const dec = decodeGgep(enc);
        expect(dec.end).toBe(enc.length);
        expect(dec.extensions).toEqual(exts.map((e) => ({ id: e.id, data: e.data })));
      }),
    );
  });

  it('COBS: no NUL on the wire and a round trip', () => {
    expect(cobsEncode(Buffer.alloc(0))).toEqual(hex('01'));
    expect(cobsEncode(hex('00'))).toEqual(hex('01 01'));
    expect(cobsEncode(hex('11 22 00 33'))).toEqual(hex('03 11 22 02 33'));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (a) => {
        const enc = cobsEncode(a);
        expect(enc.includes(0)).toBe(false);
        expect(cobsDecode(enc)).toEqual(Buffer.from(a));
      }),
    );
  });

  it('minimal LE integers round-trip', () => {
    fc.assert(fc.property(fc.maxSafeNat(), (n) => {
        expect(decodeMinimalLe(encodeMinimalLe(n))).toBe(n);
      }),
    );
    expect(encodeMinimalLe(0).length).toBe(0);
  });
});
