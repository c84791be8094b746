/**
 * What P+2 says in the log and to `/addpeer`, in words: counts with their plurals (`1 peer to
 * start from`, it said `1 peers`), and an address that is not one says what is wrong with it
 * and how it is written (it said only `want IP:PORT, got 1.2.3`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ADDPEER_USAGE, parsePeerAddress, peerAddressProblem } from '../../protocols/pplus2/codec.js';
import fc from 'fast-check';
import { fakePeer, startP2Node, type P2Node } from './pplus2-net.js';

describe('P+2 in words', () => {
  const nodes: P2Node[] = [];
  const fakes: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });

  it('counts one peer as one peer in its log lines', async () => {
    // A peer whose list names one other peer.
    const fake = await fakePeer([(s) => s.once('data', () => s.end('127.0.0.1:10001\n')), (s) => s.end(), (s) => s.end()]);
    fakes.push(fake);
    const c = await startP2Node(0, {}, { peers: [`127.0.0.1:${fake.port}`] });
    nodes.push(c);
    const logs = (): string[] => c.of('log').map((e) => e.message);
    await c.waitFor(() => logs().some((m) => m.startsWith('learned ')));
    expect(logs().find((m) => m.startsWith('P+2 listening on'))).toMatch(/; 1 peer to start from$/);
    expect(logs().find((m) => m.startsWith('learned '))).toBe(`learned 1 peer from 127.0.0.1:${fake.port}; 2 known`);
  });

  it('/addpeer says what is wrong with an address, and the usage', async () => {
    const c = await startP2Node(0, {});
    nodes.push(c);
    const refusal = (arg: string): Promise<string> =>
      c.node.run('pplus2', 'addpeer', [arg]).then(
        (lines) => `accepted: ${lines.join(' ')}`,
        (err: Error) => err.message,
      );
    const usage = `usage: ${ADDPEER_USAGE}`;
    // An empty list says how a peer gets into it (it said only `no known P+2 peers`).
    expect(await c.node.run('pplus2', 'known', [])).toEqual(['no known P+2 peers (/addpeer ip:p adds one; a node that asks us for peers is added too)']);
    expect(await refusal('1.2.3')).toBe(`1.2.3: 1.2.3 is not an IPv4 address (four numbers 0-255, e.g. 127.0.0.1); ${usage}`);
    expect(await refusal('1.2.3.4')).toBe(`1.2.3.4: no port after 1.2.3.4 (the peer's base port P: it uses P, P+1 and P+2); ${usage}`);
    expect(await refusal('1.2.3.4:')).toBe(`1.2.3.4:: no port after 1.2.3.4 (the peer's base port P: it uses P, P+1 and P+2); ${usage}`);
    expect(await refusal('1.2.3.4:99999')).toBe(`1.2.3.4:99999: the port 99999 is out of range: P+2 uses P, P+1 and P+2, so P is 1-65533; ${usage}`);
    expect(await refusal('1.2.3.4:x')).toBe(`1.2.3.4:x: the port x is not a number; ${usage}`);
    expect(await refusal('foo:80')).toBe(`foo:80: foo is a host name: a P+2 peer is given by its IP address (P+2 passes only addresses around); ${usage}`);
    expect(await refusal('::1')).toMatch(/^::1: an IPv6 address goes in brackets, with the port after them: \[::1\]:7000; /);
    expect(await refusal('[1.2.3.4]:80')).toMatch(/^\[1\.2\.3\.4\]:80: 1\.2\.3\.4 in brackets is not an IPv6 address; /);
    await expect(c.node.run('pplus2', 'addpeer', [])).rejects.toThrow(usage);
    expect(await refusal('127.0.0.1:10001')).toBe('accepted: added 127.0.0.1:10001');
  });

  it('names a problem for every string it does not take, and none for one it takes (property)', () => {
    const text = fc.oneof(fc.string(), fc.stringMatching(/^\[?[0-9a-f:.]{0,12}\]?:?[0-9a-z]{0,6}$/), fc.ipV4().map((ip) => `${ip}:${ip.length * 999}`));
    fc.assert(
      fc.property(text, (s) => {
        const problem = peerAddressProblem(s);
        expect(problem === undefined).toBe(parsePeerAddress(s) !== undefined);
        if (problem !== undefined) expect(problem.length).toBeGreaterThan(0);
      }),
    );
  });
});
