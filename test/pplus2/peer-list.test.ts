import { describe, expect, it } from 'vitest';
import { parsePeerAddress } from '../../protocols/pplus2/codec.js';
import { PeerList } from '../../protocols/pplus2/peer-list.js';

const addr = (t: string) => parsePeerAddress(t)!;

/** `/addpeer` says which of the three reasons kept a peer out (it said "known already (or the list is full)"). */
describe('the P+2 peer list', () => {
  it('names why a peer is not added: us, known, or full', () => {
    const l = new PeerList('127.0.0.1:7000', 2);
    expect(l.refusal(addr('127.0.0.1:7000'))).toBe('self');
    expect(l.refusal(addr('127.0.0.1:7100'))).toBeUndefined();
    expect(l.add(addr('127.0.0.1:7100'))).toBe(true);
    expect(l.refusal(addr('127.0.0.1:7100'))).toBe('known');
    expect(l.add(addr('127.0.0.1:7200'))).toBe(true);
    expect(l.refusal(addr('127.0.0.1:7300'))).toBe('full');
    expect(l.add(addr('127.0.0.1:7300'))).toBe(false);
  });

  it('lists the other ports of a host (a node restarted on a new port left them), and forgets one at once', () => {
    const l = new PeerList('127.0.0.1:7000', 10);
    for (const a of ['10.0.0.1:7000', '10.0.0.1:7100', '10.0.0.2:7000', '[::1]:7000']) l.add(addr(a));
    expect(l.sameHost(addr('10.0.0.1:7300')).map((a) => `${a.host}:${a.port}`)).toEqual(['10.0.0.1:7000', '10.0.0.1:7100']);
    expect(l.sameHost(addr('10.0.0.1:7100')).map((a) => `${a.host}:${a.port}`)).toEqual(['10.0.0.1:7000']);
    expect(l.sameHost(addr('10.0.0.3:7000'))).toEqual([]);
    expect(l.forget('10.0.0.1:7000')).toBe(true);
    expect(l.forget('10.0.0.1:7000')).toBe(false);
    expect(l.keys()).toEqual(['10.0.0.1:7100', '10.0.0.2:7000', '[::1]:7000']);
  });
});

