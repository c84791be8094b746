import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetError } from '../../src/errors.js';
import { encode, encodeLine, parseHello, parseLine } from '../../protocols/chat/codec.js';
import { ChatFrameDecoder, type ChatFrame } from '../../protocols/chat/frame-decoder.js';
import type { ChatWire, PlainLine } from '../../protocols/chat/messages.js';
import { splitAt, wire, hello } from './arbitraries.js';

const LIMIT = 1024;

/** Feeds chunks through the frame decoder and parses every line. */
function decodeChunks(chunks: Buffer[], limit = LIMIT): Array<ChatWire | PlainLine | NetError> {
  const d = new ChatFrameDecoder(limit);
  const out: Array<ChatWire | PlainLine | NetError> = [];
  for (const c of chunks) {
    d.push(c);
    for (let f: ChatFrame | undefined = d.next(); f !== undefined; f = d.next()) {
      if ('fault' in f) out.push(f.fault);
      else out.push(parseOrError(f.line));
    }
    expect(d.buffered).toBeLessThanOrEqual(limit + 1);
  }
  return out;
}

function parseOrError(line: string): ChatWire | PlainLine | NetError {
  try {
    return parseLine(line);
  } catch (err) {
    if (err instanceof NetError) return err;
    throw err; // anything else fails the test
  }
}

const FIXTURE =
  'HELLO peerdeck-chat/1 node=abc123 nick=alice listen=6350 mesh=default\r\n' +
  'MSG 0123456789abcdef0123456789abcdef 16 abc123 1700000000000 alice :hello :) world\n' +
  'ACT 0123456789abcdef0123456789abcdee 3 abc123 1700000000001 alice :waves\n' +
  'JOIN 0123456789abcdef0123456789abcded 16 abc123 1700000000002 alice\n' +
  'PART 0123456789abcdef0123456789abcdec 16 abc123 1700000000003 alice :bye\n' +
  'NICK 0123456789abcdef0123456789abcdeb 16 abc123 1700000000004 alice alicia\n' +
  'PEERS 10.0.0.1:6350 [::1]:6351 box.lan:7000\n' +
  'PING t0k3n\nPONG t0k3n\n' +
  `AUTH ${'ab'.repeat(32)}\n` +
  'ERROR :too many links\n' +
  'hello from netcat\n';

const FIXTURE_MESSAGES = [
  { type: 'HELLO', node: 'abc123', nick: 'alice', listen: 6350, mesh: 'default' },
  { type: 'MSG', id: '0123456789abcdef0123456789abcdef', hopsLeft: 16, origin: 'abc123', at: 1700000000000, nick: 'alice', text: 'hello :) world' },
  { type: 'ACT', id: '0123456789abcdef0123456789abcdee', hopsLeft: 3, origin: 'abc123', at: 1700000000001, nick: 'alice', text: 'waves' },
  { type: 'JOIN', id: '0123456789abcdef0123456789abcded', hopsLeft: 16, origin: 'abc123', at: 1700000000002, nick: 'alice' },
  { type: 'PART', id: '0123456789abcdef0123456789abcdec', hopsLeft: 16, origin: 'abc123', at: 1700000000003, nick: 'alice', text: 'bye' },
  { type: 'NICK', id: '0123456789abcdef0123456789abcdeb', hopsLeft: 16, origin: 'abc123', at: 1700000000004, nick: 'alice', newNick: 'alicia' },
  { type: 'PEERS', addresses: ['10.0.0.1:6350', '[::1]:6351', 'box.lan:7000'] },
  { type: 'PING', token: 't0k3n' },
  { type: 'PONG', token: 't0k3n' },
  { type: 'AUTH', hmac: 'ab'.repeat(32) },
  { type: 'ERROR', reason: 'too many links' },
  { type: 'PLAIN', text: 'hello from netcat' },
];

describe('chat codec: fixtures', () => {
  const bytes = Buffer.from(FIXTURE);

  it('parses every kind of line', () => {
    expect(decodeChunks([bytes])).toEqual(FIXTURE_MESSAGES);
  });

  it('gives the same messages split at every index', () => {
    for (let i = 0; i <= bytes.length; i++) {
      expect(decodeChunks([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(FIXTURE_MESSAGES);
    }
  });

  it('gives the same messages fed one byte at a time', () => {
    expect(decodeChunks([...bytes].map((b) => Buffer.from([b])))).toEqual(FIXTURE_MESSAGES);
  });

  it('re-encodes the fixture byte for byte (CRLF aside)', () => {
    const again = FIXTURE_MESSAGES.filter((m) => m.type !== 'PLAIN').map((m) => encodeLine(m as ChatWire)).join('');
    expect(again).toBe(FIXTURE.replace('\r\n', '\n').replace('hello from netcat\n', ''));
  });

  it.each([
    ['MSG short 16 abc 1 alice :x', 'bad message id'],
    ['MSG 0123456789abcdef 256 abc 1 alice :x', 'bad hops-left'],
    ['MSG 0123456789abcdef 16 a.b 1 alice :x', 'bad origin'],
    ['MSG 0123456789abcdef 16 abc -1 alice :x', 'bad timestamp'],
    ['MSG 0123456789abcdef 16 abc 1 alice x', 'missing " :"'],
    ['MSG 0123456789abcdef 16 abc 1 :alice', 'bad nick'],
    ['JOIN 0123456789abcdef 16 abc 1 alice extra', 'trailing'],
    ['NICK 0123456789abcdef 16 abc 1 alice', 'bad nick'],
    ['PEERS 10.0.0.1', 'bad address'],
    ['PEERS 10.0.0.1:0', 'bad address'],
    ['PING', 'bad token'],
    ['AUTH 1234', 'bad hmac'],
    ['HELLO peerdeck-chat/1 node=a nick=b listen=1', 'bad mesh'],
    ['HELLO peerdeck-chat/1 node=a nick=b listen=99999 mesh=m', 'bad listen'],
    ['HELLO peerdeck-chat/1 node=a nick=b listen=1 mesh=m auth=xyz', 'bad auth nonce'],
    ['HELLO peerdeck-chat/1 node=a node=a nick=b listen=1 mesh=m', 'duplicate field'],
    ['HELLO peerdeck-chat/1 node=a nick=b listen=1 mesh=m junk', 'key=value'],
  ])('rejects %j with a NetError (%s)', (line, why) => {
    const r = parseOrError(line);
    expect(r).toBeInstanceOf(NetError);
    expect((r as NetError).code).toBe('BAD_MESSAGE');
    expect((r as NetError).message).toContain(why);
  });

  it('rejects another protocol version as PROTOCOL', () => {
    const r = parseOrError('HELLO peerdeck-chat/2 node=a nick=b listen=1 mesh=m');
    expect((r as NetError).code).toBe('PROTOCOL');
  });

  it('ignores unknown HELLO fields and reads listen=-', () => {
    expect(parseHello('peerdeck-chat/1 node=a nick=b listen=- mesh=m future=1')).toEqual({ type: 'HELLO', node: 'a', nick: 'b', listen: null, mesh: 'm' });
  });

  it('strips control characters from text, keeps tabs', () => {
    const m = parseLine('MSG 0123456789abcdef 1 abc 1 al :a\tb\u0007c\u001b[31md\r');
    expect(m).toMatchObject({ text: 'a\tbc[31md' });
    expect(encode({ type: 'ERROR', reason: 'x\ny' })).toBe('ERROR :xy');
  });

  it('takes a line of exactly the limit, refuses one byte more', () => {
    const ok = new ChatFrameDecoder(100);
    ok.push(Buffer.from(`${'a'.repeat(100)}\r\n`));
    const f0 = ok.next();
    expect(f0 && 'line' in f0 && f0.line).toBe('a'.repeat(100));
    const over = new ChatFrameDecoder(100);
    over.push(Buffer.from(`${'a'.repeat(101)}\n`));
    const f = over.next();
    expect(f && 'fault' in f && f.fault.code).toBe('LINE_TOO_LONG');
  });

  it('closes an over-long line as LINE_TOO_LONG without buffering it', () => {
    const d = new ChatFrameDecoder(100);
    d.push(Buffer.alloc(50, 0x61));
    expect(d.next()).toBeUndefined();
    d.push(Buffer.alloc(60, 0x61));
    const f = d.next();
    expect(f && 'fault' in f && f.fault.code).toBe('LINE_TOO_LONG');
    d.push(Buffer.from('\nMSG more'));
    expect(d.next()).toBeUndefined();
    expect(d.buffered).toBe(0);
  });
});

describe('chat codec: properties', () => {
  it('parseLine(encode(m)) = m', () => {
    fc.assert(fc.property(wire, (m) => {
      expect(parseLine(encode(m))).toEqual(m);
    }), { numRuns: 2000 });
  });

  it('any chunking of encoded messages gives the same messages', () => {
    fc.assert(
      fc.property(fc.array(wire, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (msgs, cuts) => {
        const bytes = Buffer.from(msgs.map(encodeLine).join(''), 'utf8');
        expect(decodeChunks(splitAt(bytes, cuts), 64 * 1024)).toEqual(msgs);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes give messages or NetErrors, never anything else, with bounded memory', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
        decodeChunks(splitAt(Buffer.from(bytes), cuts), 256);
      }),
      { numRuns: 1000 },
    );
  });

  it('random lines that start with a verb give a message or a NetError', () => {
    const verb = fc.constantFrom('HELLO', 'MSG', 'ACT', 'JOIN', 'PART', 'NICK', 'PEERS', 'PING', 'PONG', 'AUTH', 'ERROR');
    const junk = fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(':', ' ', '=', 'peerdeck-chat/1', 'node=', 'mesh=x', '16', '0123456789abcdef')), { maxLength: 10 });
    fc.assert(
      fc.property(verb, junk, (v, parts) => {
        const r = parseOrError(`${v} ${parts.join(' ')}`);
        expect(r instanceof NetError || typeof r.type === 'string').toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('HELLO: mutated valid lines are parsed or rejected with a NetError', () => {
    fc.assert(
      fc.property(hello, fc.nat(), fc.string({ maxLength: 4 }), fc.nat({ max: 3 }), (h, at, insert, del) => {
        const line = encode(h);
        const i = at % (line.length + 1);
        const mutated = line.slice(0, i) + insert + line.slice(i + del);
        const r = parseOrError(mutated);
        if (!(r instanceof NetError) && r.type === 'HELLO') expect(encode(r).startsWith('HELLO peerdeck-chat/1 ')).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('an oversized line is refused at any chunking', () => {
    fc.assert(
      fc.property(fc.integer({ min: 257, max: 2000 }), fc.array(fc.nat(), { maxLength: 10 }), (len, cuts) => {
        const bytes = Buffer.concat([Buffer.alloc(len, 0x41), Buffer.from('\nPING ok\n')]);
        const out = decodeChunks(splitAt(bytes, cuts), 256);
        expect(out).toHaveLength(1);
        expect((out[0] as NetError).code).toBe('LINE_TOO_LONG');
      }),
      { numRuns: 300 },
    );
  });
});
