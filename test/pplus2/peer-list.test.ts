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
});
