import { deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { qrpHash, qrpHashCanonical } from '../../protocols/gnutella/qrp-hash.js';
import { decodeQrp, encodeQrpPatch, encodeQrpReset, type QrpPatch } from '../../protocols/gnutella/qrp-messages.js';
import { QrpReceiver } from '../../protocols/gnutella/qrp-receiver.js';
import { QrpTable, qrpWords } from '../../protocols/gnutella/qrp-table.js';
import { hex, SPEC_QRP_PATCH_4BIT_ZLIB, SPEC_QRP_PATCH_8BIT, SPEC_QRP_RESET_8 } from './fixtures.js';

describe('QRP hash (spec 7.1)', () => {
  const rows: Array<[string, number, number]> = [
    ['', 13, 0], ['eb', 13, 6791], ['ebc', 13, 7082], ['ebck', 13, 6698], ['ebckl', 13, 3179], ['ebcklm', 13, 3235],
    ['ebcklme', 13, 6438], ['ebcklmen', 13, 1062], ['ebcklmenq', 13, 3527], ['', 16, 0], ['n', 16, 65003], ['nd', 16, 54193],
    ['ndf', 16, 4953], ['ndfl', 16, 58201], ['ndfla', 16, 34830], ['ndflal', 16, 36910], ['ndflale', 16, 34586],
    ['ndflalem', 16, 37658], ['ndflaleme', 16, 45559], ['ol2j34lj', 10, 318], ['asdfas23', 10, 503], ['9um3o34fd', 10, 758],
    ['a234d', 10, 281], ['a3f', 10, 767], ['3nja9', 10, 581], ['3NJA9', 10, 581], ['3nJa9', 10, 581],
    ['2459345938032343', 10, 146], ['7777a88a8a8a8', 10, 342], ['asdfjklkj3k', 10, 861], ['adfk32l', 10, 1011],
    ['zzzzzzzzzzz', 10, 944], ['test', 16, 20712], ['test', 17, 41424], ['test', 3, 2], ['qrp', 3, 7], ['Linux', 16, 16680],
    ['LINUX', 16, 16680], ['ubuntu', 16, 42399], ['mp3', 16, 28995], ['music', 16, 5032], ['gnutella', 16, 21293],
    ['urn:sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5', 16, 63186], ['urn:sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5', 17, 126372],
  ];
  it.each(rows)('%j at %i bits = %i', (word, bits, want) => expect(qrpHash(word, bits)).toBe(want));

  it('non-ASCII (already canonical code points): UTF-16 low bytes, as GTKG and LimeWire', () => {
    const qrpHash = qrpHashCanonical;
    const cp = (...c: number[]) => String.fromCodePoint(...c);
    expect(qrpHash(cp(0x30a2, 0x30cb, 0x30e1), 10)).toBe(46);
    expect(qrpHash(cp(0x30e9), 10)).toBe(0);
    expect(qrpHash(cp(0x58f0, 0x512a), 10)).toBe(731);
    expect(qrpHash(cp(0x10400), 10)).toBe(316);
    expect(qrpHash(cp(0x10428), 10)).toBe(658);
    expect(qrpHash(cp(0x0001, 0x0028), 10)).toBe(658);
    expect(qrpHash(cp(0xff01, 0x9428), 10)).toBe(658);
    expect(qrpHash(cp(0x1001, 0x2000), 10)).toBe(316);
  });

  it('hash(w, b+1) is 2*hash(w, b) or that plus one (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.integer({ min: 1, max: 31 }), (w, b) => {
        expect(qrpHash(w, b + 1) >>> 1).toBe(qrpHash(w, b));
      }),
    );
  });
});

describe('QRP messages (spec 7.2)', () => {
  it('RESET for 8 slots, infinity 7, and for 65536 / 131072', () => {
    expect(encodeQrpReset(8, 7)).toEqual(SPEC_QRP_RESET_8);
    expect(encodeQrpReset(65536, 7)).toEqual(hex('00 00 00 01 00 07'));
    expect(encodeQrpReset(131072, 7)).toEqual(hex('00 00 00 02 00 07'));
  });

  // Spec 7.2 prints "adding qrp" as 00 00 00 a0; by its own rule (high nibble = lower index) slot 7 is
  // the low nibble of byte 3, which is what byte 10356 = 0xA0 for slot 20712 confirms.
  it('a 3-bit table with "test": 4-bit data 00 a0 00 00; adding "qrp" (slot 7); removing "test"', () => {
    const t = new QrpTable(3);
    t.add('test');
    expect(t.patchData()).toEqual(hex('00 a0 00 00'));
    const t2 = new QrpTable(3);
    t2.add('test');
    t2.add('qrp');
    expect(t2.patchData(t)).toEqual(hex('00 00 00 0a'));
    expect(new QrpTable(3).patchData(t)).toEqual(hex('00 60 00 00'));
    expect(deflateSync(t.patchData())).toEqual(SPEC_QRP_PATCH_4BIT_ZLIB.subarray(5));
  });

  it('the zlib and 8-bit PATCH vectors decode and apply', () => {
    for (const bytes of [SPEC_QRP_PATCH_4BIT_ZLIB, SPEC_QRP_PATCH_8BIT]) {
      const r = new QrpReceiver();
      const reset = decodeQrp(SPEC_QRP_RESET_8);
      if (reset.kind !== 'qrp-reset') throw new Error('reset');
      r.reset(reset);
      r.patch(decodeQrp(bytes) as QrpPatch);
      expect([...Array(8).keys()].filter((i) => r.hasHash(i))).toEqual([2]);
      expect(r.complete).toBe(true);
    }
  });

  it('65536-slot table with only "test": RESET, one zlib PATCH of 63 bytes, byte 10356 = 0xA0', () => {
    const t = new QrpTable();
    t.add('test');
    const raw = t.patchData();
    expect(raw.length).toBe(32768);
    expect(raw[10356]).toBe(0xa0);
    expect([...raw].filter((b) => b !== 0)).toHaveLength(1);
    const msgs = t.updateMessages();
    expect(msgs[0]).toEqual(hex('00 00 00 01 00 07'));
    expect(msgs).toHaveLength(2);
    const p = decodeQrp(msgs[1]!) as QrpPatch;
    expect(p).toMatchObject({ seqNo: 1, seqSize: 1, compressor: 1, entryBits: 4 });
    expect(p.data.length).toBe(63);
    expect(inflateSync(p.data)).toEqual(raw);
  });
});

describe('QRP tables from a share and their receiver', () => {
  it('keywords, prefixes of 3+ characters and the URN', () => {
    expect(qrpWords('Interop_alpha-test.txt')).toEqual(
      expect.arrayContaining(['interop', 'intero', 'inter', 'inte', 'int', 'alpha', 'alph', 'alp', 'test', 'tes', 'txt']),
    );
    expect(qrpWords('ab')).toEqual(['ab']);
  });

  it('what a leaf sends, a receiver matches: all words under 3, 2/3 from 3 words, URNs, patches later', () => {
    const t = new QrpTable();
    t.addFile('Ubuntu Linux 24.04 desktop.iso', 'urn:sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5');
    const r = new QrpReceiver();
    for (const m of t.updateMessages()) {
      const d = decodeQrp(m);
      if (d.kind === 'qrp-reset') r.reset(d);
      else r.patch(d);
    }
    expect(r.matches('linux')).toBe(true);
    expect(r.matches('ubuntu desk')).toBe(true);
    expect(r.matches('ubuntu windows')).toBe(false);
    expect(r.matches('ubuntu linux windows')).toBe(true);
    expect(r.matches('xy')).toBe(false);
    expect(r.matches('', ['urn:sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5'])).toBe(true);
    const t2 = new QrpTable();
    t2.addFile('windows.exe');
    for (const m of t2.updateMessages(t)) r.patch(decodeQrp(m) as QrpPatch);
    expect(r.matches('windows')).toBe(true);
    expect(r.matches('linux')).toBe(false);
  });

  it('a large share splits into several chunks that reassemble (property over seeds)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9]{3,12}$/), { minLength: 1, maxLength: 300 }), (words) => {
        const t = new QrpTable(12);
        for (const w of words) t.add(w);
        const r = new QrpReceiver();
        for (const m of t.updateMessages()) {
          const d = decodeQrp(m);
          if (d.kind === 'qrp-reset') r.reset(d);
          else r.patch(d);
        }
        for (const w of words) expect(r.hasHash(qrpHash(w, 12))).toBe(true);
        let count = 0;
        for (let i = 0; i < 4096; i++) if (r.hasHash(i)) count++;
        expect(count).toBe(t.present.reduce((a, b) => a + b, 0));
      }),
      { numRuns: 30 },
    );
  });

  describe('protocol errors (GTKG: Bye 413)', () => {
    const patch = (p: Partial<QrpPatch>): QrpPatch => ({ kind: 'qrp-patch', seqNo: 1, seqSize: 1, compressor: 0, entryBits: 4, data: Buffer.alloc(4), ...p });
    const ready = () => {
      const r = new QrpReceiver();
      r.reset({ kind: 'qrp-reset', tableLength: 8, infinity: 7 });
      return r;
    };
    it.each<[string, () => void]>([
      ['patch before reset', () => new QrpReceiver().patch(patch({}))],
      ['table length not a power of two', () => new QrpReceiver().reset({ kind: 'qrp-reset', tableLength: 1000, infinity: 7 })],
      ['table of 2^31 slots', () => new QrpReceiver().reset({ kind: 'qrp-reset', tableLength: 2 ** 31, infinity: 7 })],
      ['infinity 0', () => new QrpReceiver().reset({ kind: 'qrp-reset', tableLength: 8, infinity: 0 })],
      ['sequence out of order', () => ready().patch(patch({ seqNo: 2, seqSize: 2 }))],
      ['entry bits 3', () => ready().patch(patch({ entryBits: 3 }))],
      ['data beyond the table', () => ready().patch(patch({ data: Buffer.alloc(5) }))],
      ['a zlib bomb', () => ready().patch(patch({ compressor: 1, data: deflateSync(Buffer.alloc(10_000_000)) }))],
      ['garbage zlib', () => ready().patch(patch({ compressor: 1, data: hex('01 02 03') }))],
    ])('%s', (_n, f) => expect(f).toThrowError(expect.objectContaining({ code: 'PROTOCOL' })));
  });

  it('encodeQrpPatch/decodeQrp round trip', () => {
    const p = { seqNo: 3, seqSize: 9, compressor: 1, entryBits: 4, data: hex('01 02') };
    expect(decodeQrp(encodeQrpPatch(p))).toEqual({ kind: 'qrp-patch', ...p });
    expect(() => decodeQrp(hex('07'))).toThrowError(expect.objectContaining({ code: 'BAD_MESSAGE' }));
  });
});
