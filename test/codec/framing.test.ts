import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAll, handOver, type Decoder } from '../../src/codec/decoder.js';
import { HeaderBlockDecoder } from '../../src/codec/header-block-decoder.js';
import { LengthFramedDecoder, type Frame, type FramingRules } from '../../src/codec/length-framed-decoder.js';
import { NetError } from '../../src/errors.js';
import { everySplit, splitAt } from '../chunking.js';

/** A toy framing like OpenNap's: u16 LE length, u16 LE type, body; type 1 may be up to 16 bytes, others 4. */
const rules: FramingRules = {
  headerBytes: 4,
  bodyLength: (h) => h.readUInt16LE(0),
  maxBody: (h) => (h.readUInt16LE(2) === 1 ? 16 : 4),
};

function frame(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16LE(body.length, 0);
  h.writeUInt16LE(type, 2);
  return Buffer.concat([h, body]);
}

describe('HeaderBlockDecoder then LengthFramedDecoder (a protocol switch)', () => {
  const stream = Buffer.concat([
    Buffer.from('GNUTELLA CONNECT/0.6\r\nUser-Agent: x\r\n\r\n'),
    frame(1, Buffer.from('hello world')),
    frame(2, Buffer.from('abc')),
  ]);

  function run(chunks: Buffer[]): { block: string[]; frames: string[] } {
    const head = new HeaderBlockDecoder(1024);
    let block: string[] | undefined;
    const frames: string[] = [];
    let framed: Decoder<Frame> | undefined;
    for (const c of chunks) {
      if (!framed) {
        head.push(c);
        block = head.next();
        if (!block) continue;
        const next: Decoder<Frame> = handOver(head, new LengthFramedDecoder(rules));
        framed = next;
        for (let f = next.next(); f; f = next.next()) frames.push(f.body.toString());
      } else {
        for (const f of decodeAll(framed, c)) frames.push(f.body.toString());
      }
    }
    return { block: block ?? [], frames };
  }

  it('loses no byte at the switch, for every split point', () => {
    const want = { block: ['GNUTELLA CONNECT/0.6', 'User-Agent: x'], frames: ['hello world', 'abc'] };
    expect(run([stream])).toEqual(want);
    for (const chunks of everySplit(stream)) expect(run(chunks)).toEqual(want);
  });

  it('rejects a declared length over the type limit before its body arrives', () => {
    const d = new LengthFramedDecoder(rules);
    const h = Buffer.alloc(4);
    h.writeUInt16LE(5, 0);
    h.writeUInt16LE(2, 2);
    expect(() => decodeAll(d, h)).toThrowError(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
  });

  it('rejects an endless header block', () => {
    const d = new HeaderBlockDecoder(64);
    expect(() => decodeAll(d, Buffer.alloc(65, 0x41))).toThrowError(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
  });

  it('ends a block at LF LF as well as CRLF CRLF (GIV callbacks), for every split point', () => {
    const stream = Buffer.from('GIV 0:0123456789ABCDEF0123456789ABCDEF/song.mp3\n\nGET /x HTTP/1.1\r\nHost: a\r\n\r\nGIV 1:AB/b\r\n\ntail');
    const want = [['GIV 0:0123456789ABCDEF0123456789ABCDEF/song.mp3'], ['GET /x HTTP/1.1', 'Host: a'], ['GIV 1:AB/b']];
    for (const chunks of [[stream], ...everySplit(stream)]) {
      const d = new HeaderBlockDecoder(256);
      const got: string[][] = [];
      for (const c of chunks) got.push(...decodeAll(d, c));
      expect(got).toEqual(want);
      expect(Buffer.concat(d.takeRest()).toString()).toBe('tail');
    }
  });

  it('splits blocks like a naive model for any mix of CRLF and LF and any chunking (property)', () => {
    const line = fc.stringMatching(/^[A-Za-z0-9 :/.-]{1,12}$/);
    const block = fc.tuple(fc.array(fc.tuple(line, fc.boolean()), { minLength: 1, maxLength: 4 }), fc.boolean());
    fc.assert(
      fc.property(fc.array(block, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), (blocks, cuts) => {
        const text = blocks.map(([lines, crlf]) => lines.map(([l, c]) => l + (c ? '\r\n' : '\n')).join('') + (crlf ? '\r\n' : '\n')).join('');
        const d = new HeaderBlockDecoder(4096);
        const got: string[][] = [];
        for (const chunk of splitAt(Buffer.from(text, 'latin1'), cuts)) got.push(...decodeAll(d, chunk));
        expect(got).toEqual(blocks.map(([lines]) => lines.map(([l]) => l)));
      }),
    );
  });

  it('random bytes give frames or a NetError only (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const d = new LengthFramedDecoder(rules);
        const h = new HeaderBlockDecoder(256);
        for (const dec of [d, h]) {
          try {
            for (const c of chunks) decodeAll<unknown>(dec, Buffer.from(c));
          } catch (err) {
            expect(err).toBeInstanceOf(NetError);
          }
        }
      }),
    );
  });

  it('frames round-trip for any chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(1, 2), fc.uint8Array({ maxLength: 4 })), { maxLength: 15 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (msgs, cuts) => {
          const buf = Buffer.concat(msgs.map(([t, b]) => frame(t, Buffer.from(b))));
          const d = new LengthFramedDecoder(rules);
          const got: Array<[number, number[]]> = [];
          for (const chunk of splitAt(buf, cuts)) {
            for (const f of decodeAll(d, chunk)) got.push([f.header.readUInt16LE(2), [...f.body]]);
          }
          expect(got).toEqual(msgs.map(([t, b]) => [t, [...b]]));
        },
      ),
    );
  });
});
