import { describe, expect, it } from 'vitest';
import { endOf, LinkEnds } from '../../protocols/gnutella/link-ends.js';
import { NetError } from '../../src/errors.js';

/** `/gstatus` counts why open links ended: the Bye and its code, else the close in words. */
describe('link ends', () => {
  it('names each kind of end', () => {
    expect(endOf(NetError.protocol('Bye 405 Activity timeout (180 secs)'))).toBe('we sent Bye 405');
    expect(endOf(NetError.closed('Bye 200 Shutting down'))).toBe('we sent Bye 200');
    expect(endOf(NetError.closed('peer said Bye 502 Send queue full'))).toBe('peer said Bye 502');
    expect(endOf(new NetError('SOCKET', 'read ECONNRESET'))).toBe('connection lost');
    expect(endOf(NetError.handshakeTimeout(15_000))).toBe('handshake timeout');
    expect(endOf(undefined)).toBe('closed');
  });

  it('counts them, most frequent first', () => {
    const e = new LinkEnds();
    expect(e.describe()).toBe('links ended since start: none');
    e.note(NetError.closed('peer said Bye 200 Shutting down'));
    e.note(new NetError('SOCKET', 'read ECONNRESET'));
    e.note(NetError.closed('peer said Bye 200 Shutting down'));
    expect(e.describe()).toBe('links ended since start: 3 (peer said Bye 200 2, connection lost 1)');
  });
});
