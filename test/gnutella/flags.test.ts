import { describe, expect, it } from 'vitest';
import { parseGnutellaFlags } from '../../protocols/gnutella/flags.js';

describe('--gnutella flags', () => {
  it('off without --gnutella; defaults with it', () => {
    expect(parseGnutellaFlags({})).toBeUndefined();
    expect(parseGnutellaFlags({ gnutella: true })).toEqual({ port: 6346, host: undefined, peers: [], mode: 'auto', links: 3, maxLeaves: 100, upLinks: 32, promoteAfterMs: 3_600_000, bootstrap: [], deflate: true });
  });

  it('reads every flag', () => {
    expect(
      parseGnutellaFlags({
        gnutella: true,
        'gnutella-port': '0',
        'gnutella-host': '127.0.0.1',
        'gnutella-peer': ['127.0.0.1:6346', 'host.example:7000'],
        'gnutella-mode': 'ultrapeer',
        'gnutella-links': '5',
        'gnutella-bootstrap': ['127.0.0.1:3558'],
        'gnutella-no-deflate': true,
      }),
    ).toEqual({ port: 0, host: '127.0.0.1', peers: ['127.0.0.1:6346', 'host.example:7000'], mode: 'ultrapeer', links: 5, maxLeaves: 100, upLinks: 32, promoteAfterMs: 3_600_000, bootstrap: ['127.0.0.1:3558'], deflate: false });
  });

  it.each([
    [{ 'gnutella-port': '1' }, /--gnutella-port needs --gnutella/],
    [{ gnutella: true, 'gnutella-port': '70000' }, /not a port/],
    [{ gnutella: true, 'gnutella-mode': 'hub' }, /auto, leaf or ultrapeer/],
    [{ gnutella: true, 'gnutella-max-leaves': '-1' }, /from 0 to 2000, not -1/],
    [{ gnutella: true, 'gnutella-up-links': '0' }, /from 1 to 100, not 0/],
    [{ gnutella: true, 'gnutella-links': '0' }, /from 1 to 10, not 0/],
    [{ gnutella: true, 'gnutella-peer': ['nope'] }, /host:port/],
    [{ gnutella: true, 'gnutella-peer': ['999.1.1.1:6346'] }, /--gnutella-peer: not a host:port/],
    [{ gnutella: true, 'gnutella-host': '999.1.1.1' }, /--gnutella-host: 999\.1\.1\.1: not an IPv4 address/],
  ])('refuses %j', (v, msg) => {
    expect(() => parseGnutellaFlags(v)).toThrowError(msg);
  });
});
