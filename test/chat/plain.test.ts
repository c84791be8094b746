import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAnnouncement, parseAnnouncement } from '../../protocols/chat/discovery.js';
import { parseHostPort, formatHostPort } from '../../src/net/address.js';
import { plainId, plainIds, renderPlain, splitPlainLine } from '../../protocols/chat/plain.js';
import { isNick, stripControls } from '../../protocols/chat/text.js';
import { isGoodNick, toGoodNick } from '../../src/nick.js';
import { meshName, nick, nodeId } from './arbitraries.js';

describe('plain peers', () => {
  it('takes the nick from a "nick: text" prefix, else the address', () => {
    expect(splitPlainLine('bob: hi there', '10.0.0.2:5555')).toEqual({ nick: 'bob', text: 'hi there' });
    expect(splitPlainLine('hi: ', '10.0.0.2:5555')).toEqual({ nick: '10.0.0.2:5555', text: 'hi: ' });
    expect(splitPlainLine('just text', '10.0.0.2:5555')).toEqual({ nick: '10.0.0.2:5555', text: 'just text' });
    expect(splitPlainLine('<alice> hi', '[::1]:9')).toEqual({ nick: '[::1]:9', text: '<alice> hi' });
    expect(splitPlainLine(' \t\u0007', 'x:1')).toBeUndefined();
  });
  it('renders lines for plain peers', () => {
    const h = { id: 'i'.repeat(16), hopsLeft: 1, origin: 'o', at: 1, nick: 'al' };
    expect(renderPlain({ type: 'MSG', ...h, text: 'hi\u001b' })).toBe('<al> hi');
    expect(renderPlain({ type: 'ACT', ...h, text: 'waves' })).toBe('* al waves');
    expect(renderPlain({ type: 'JOIN', ...h })).toBe('* al has joined');
    expect(renderPlain({ type: 'PART', ...h, text: 'bye' })).toBe('* al has left (bye)');
    expect(renderPlain({ type: 'NICK', ...h, newNick: 'ally' })).toBe('* al is now known as ally');
  });
  it('content ids depend on content and bucket only, and look like message ids', () => {
    expect(plainId('hello', 5)).toBe(plainId('hello', 5));
    expect(plainId('hello', 5)).not.toBe(plainId('hello', 6));
    expect(plainId('hello', 5)).not.toBe(plainId('hellp', 5));
    expect(plainId('x', 1)).toMatch(/^[0-9a-f]{32}$/);
    const [cur, prev] = plainIds('x', 25_000, 10_000);
    expect(cur).toBe(plainId('x', 2));
    expect(prev).toBe(plainId('x', 1));
  });
  it('strips every control character but tab', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(stripControls(s)).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/);
      }),
    );
  });
});

describe('nicks', () => {
  it('turns any configured name into a nick that follows the rule (and is a wire nick)', () => {
    expect(toGoodNick('John Doe', 'anon')).toBe('John_Doe');
    expect(toGoodNick(':root', 'anon')).toBe('root');
    expect(toGoodNick('', 'anon')).toBe('anon');
    expect(toGoodNick('x'.repeat(100), 'anon')).toHaveLength(32);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const n = toGoodNick(s, 'anon');
        expect(isGoodNick(n) && isNick(n)).toBe(true);
      }),
    );
  });
});

describe('addresses', () => {
  it('parses and formats host:port', () => {
    expect(parseHostPort('127.0.0.1:6350')).toEqual({ host: '127.0.0.1', port: 6350 });
    expect(parseHostPort('[::1]:6350')).toEqual({ host: '::1', port: 6350 });
    expect(parseHostPort('box.lan:1')).toEqual({ host: 'box.lan', port: 1 });
    for (const bad of ['::1:6350', 'x', ':1', 'a:0', 'a:65536', 'a b:1', '[x]:1', '1.2.3.4:']) expect(parseHostPort(bad)).toBeUndefined();
    expect(formatHostPort('::1', 5)).toBe('[::1]:5');
  });
});

describe('discovery datagrams', () => {
  it('round-trips announcements', () => {
    fc.assert(
      fc.property(nodeId, meshName, fc.integer({ min: 1, max: 65535 }), nick, (node, mesh, port, n) => {
        const a = { node, mesh, port, nick: n };
        expect(parseAnnouncement(Buffer.from(formatAnnouncement(a)))).toEqual(a);
      }),
    );
  });
  it('ignores anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        const a = parseAnnouncement(Buffer.from(b));
        if (a) expect(a.port).toBeGreaterThan(0);
      }),
    );
    expect(parseAnnouncement(Buffer.from('peerdeck-chat/2 n m 1 x'))).toBeUndefined();
    expect(parseAnnouncement(Buffer.from('peerdeck-chat/1 n m 0 x'))).toBeUndefined();
    expect(parseAnnouncement(Buffer.from(`peerdeck-chat/1 n m 1 ${'x'.repeat(600)}`))).toBeUndefined();
  });
});
