import { afterEach, describe, expect, it } from 'vitest';
import { eventually, gstatus, openLinks } from './gstatus.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { rawPeer, until, upConnect } from './raw-peer.js';

const nodes: GNode[] = [];
async function node(index: number, files: Record<string, string>, opts: Parameters<typeof startGNode>[2]): Promise<GNode> {
  const n = await startGNode(index, files, { perIp: 64, ...opts });
  nodes.push(n);
  return n;
}
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

describe('ultrapeer role', () => {
  it('a full ultrapeer answers 503 with X-Try-Ultrapeers naming its neighbour, and the leaf links there instead', async () => {
    const up2 = await node(0, {}, { mode: 'ultrapeer' });
    const up1 = await node(1, {}, { mode: 'ultrapeer', maxLeaves: 1, peers: [`127.0.0.1:${up2.port}`] });
    await eventually(async () => (await openLinks(up2, 'ultrapeer')).length === 1, 20_000);
    const first = await node(2, {}, { links: 1, peers: [`127.0.0.1:${up1.port}`] });
    await eventually(async () => (await openLinks(up1, 'leaf')).length === 1, 20_000);

    // What a leaf sees at the full ultrapeer, on the wire.
    const p = await rawPeer(up1.port);
    p.write(['GNUTELLA CONNECT/0.6', 'User-Agent: RawPeer/0.1', 'X-Ultrapeer: False', 'Accept-Encoding: deflate', '', ''].join('\r\n'));
    await until(() => p.text().includes('\r\n\r\n'));
    expect(p.text()).toMatch(/^GNUTELLA\/0\.6 503 Too many leaf connections/);
    expect(p.text()).toContain(`X-Try-Ultrapeers: 127.0.0.1:${up2.port}`);
    p.socket.destroy();

    const second = await node(3, {}, { links: 1, peers: [`127.0.0.1:${up1.port}`] });
    await eventually(async () => (await openLinks(up2, 'leaf')).length === 1, 20_000);
    expect(await openLinks(up1, 'leaf')).toHaveLength(1);
    expect((await openLinks(second, 'ultrapeer'))[0]).toContain(`:${up2.port}`);
    expect(await gstatus(first)).toMatch(/^gnutella leaf/);
  }, 60_000);

  it('auto mode stays a leaf while firewalled, promotes once an inbound link proves it reachable, and renegotiates its links as an ultrapeer', async () => {
    const up = await node(0, {}, { mode: 'ultrapeer' });
    const auto = await node(1, {}, { mode: 'auto', promoteAfterMs: 0, links: 1, peers: [`127.0.0.1:${up.port}`] });
    await eventually(async () => (await openLinks(up, 'leaf')).length === 1, 20_000);
    expect(await gstatus(auto)).toMatch(/^gnutella leaf .*mode auto: auto: leaf while firewalled: no incoming connection/);
    expect(auto.node.snapshot().status.gnutella?.role).toBe('leaf');

    // An unsolicited connect from another address (127.0.0.2 is loopback too) proves we are reachable (spec 4.1).
    const p = await rawPeer(auto.port, '127.0.0.2');
    p.write(upConnect(['Accept-Encoding: deflate']));
    await until(() => p.text().includes('\r\n\r\n'));
    p.socket.destroy();

    await eventually(async () => /^gnutella ultrapeer/.test(await gstatus(auto)), 20_000);
    expect(await gstatus(auto)).toMatch(/auto: (promoted|reachable)/);
    // The old leaf link was closed with a Bye and the two now hold an ultrapeer link.
    await eventually(async () => (await openLinks(up, 'ultrapeer')).length === 1 && (await openLinks(up, 'leaf')).length === 0, 30_000).catch(async (e: unknown) => {
      console.log(await gstatus(auto), '\n', await gstatus(up));
      throw e;
    });
    expect(auto.node.snapshot().status.gnutella?.role).toBe('UP');
    // Spec 2.10: a role change is a 202 (no fault of the peer), not the 200 of a shutdown.
    expect(await gstatus(up)).toMatch(/links ended since start: .*peer said Bye 202 1/);
  }, 60_000);

  /** An ultrapeer that holds half its degree (here 1 of 2 links) and has leaf slots answers with leaf guidance. */
  async function guidingUltrapeer(port = 0): Promise<GNode> {
    const b = await node(0, {}, { mode: 'ultrapeer' });
    const a = await node(1, {}, { mode: 'ultrapeer', upLinks: 2, port, peers: [`127.0.0.1:${b.port}`] });
    await eventually(async () => (await openLinks(a, 'ultrapeer')).length === 1, 20_000);
    // On the wire: an ultrapeer candidate hears X-Ultrapeer-Needed: False (we leave before step 3).
    const p = await rawPeer(a.port);
    p.write(upConnect(['Accept-Encoding: deflate']));
    await until(() => p.text().includes('\r\n\r\n'));
    expect(p.text()).toMatch(/^GNUTELLA\/0\.6 200/);
    expect(p.text()).toContain('X-Ultrapeer-Needed: False');
    p.socket.destroy();
    return a;
  }

  it('leaf guidance: an auto ultrapeer without leaves that dials an ultrapeer answering X-Ultrapeer-Needed: False becomes its leaf', async () => {
    const a = await guidingUltrapeer();
    const auto = await node(2, {}, { mode: 'auto', promoteAfterMs: 0, links: 1, peers: [`127.0.0.1:${a.port}`] });
    await eventually(async () => (await openLinks(a, 'leaf')).length === 1, 20_000);
    // Proven reachable, it promotes, says Bye and dials again as an ultrapeer; the guiding ultrapeer takes it as a leaf.
    const p = await rawPeer(auto.port, '127.0.0.2');
    p.write(upConnect(['Accept-Encoding: deflate']));
    await until(() => p.text().includes('\r\n\r\n'));
    p.socket.destroy();
    await eventually(async () => new RegExp(`^gnutella leaf .*leaf guidance from 127\\.0\\.0\\.1:${a.port}`).test(await gstatus(auto)), 30_000).catch(async (e: unknown) => {
      console.log(await gstatus(auto), '\n', await gstatus(a));
      throw e;
    });
    expect(auto.node.snapshot().status.gnutella?.role).toBe('leaf');
    // Both sides see a leaf link: the guided node holds an ultrapeer link to a, a holds it as a leaf.
    await eventually(async () => (await openLinks(auto, 'ultrapeer')).some((l) => l.includes(`:${a.port} `)) && (await openLinks(a, 'leaf')).length === 1, 20_000);
    expect(await openLinks(auto, 'leaf')).toHaveLength(0);
    expect(await openLinks(a, 'ultrapeer')).toHaveLength(1);
  }, 90_000);

  it('leaf guidance is ignored in forced ultrapeer mode: the link stays ultrapeer to ultrapeer', async () => {
    const a = await guidingUltrapeer();
    const up = await node(2, {}, { mode: 'ultrapeer', peers: [`127.0.0.1:${a.port}`] });
    await eventually(async () => (await openLinks(a, 'ultrapeer')).length === 2, 20_000);
    expect((await openLinks(up, 'ultrapeer')).some((l) => l.includes(`:${a.port} `))).toBe(true);
    expect(await openLinks(a, 'leaf')).toHaveLength(0);
    expect(await gstatus(up)).toMatch(/^gnutella ultrapeer .*mode ultrapeer: --gnutella-mode ultrapeer/);
  }, 60_000);

  it('leaf guidance is ignored by an auto ultrapeer that has a leaf: it stays an ultrapeer and keeps the link ultrapeer to ultrapeer', async () => {
    // The guiding ultrapeer starts only once the auto node holds a leaf; the auto node is then told
    // of it with /gconnect (a port freed and bound again could be taken meanwhile: EADDRINUSE under load).
    const auto = await node(2, {}, { mode: 'auto', promoteAfterMs: 0, links: 1 });
    const p = await rawPeer(auto.port, '127.0.0.2');
    p.write(upConnect(['Accept-Encoding: deflate']));
    await until(() => p.text().includes('\r\n\r\n'));
    p.socket.destroy();
    await eventually(async () => /^gnutella ultrapeer/.test(await gstatus(auto)), 20_000);
    await node(3, {}, { links: 1, peers: [`127.0.0.1:${auto.port}`] });
    await eventually(async () => (await openLinks(auto, 'leaf')).length === 1, 20_000);

    const a = await guidingUltrapeer();
    const port = a.port;
    await auto.node.run('gnutella', 'gconnect', [`127.0.0.1:${port}`]);
    await eventually(async () => (await openLinks(a, 'ultrapeer')).length === 2, 60_000).catch(async (e: unknown) => {
      console.log(await gstatus(auto), '\n', await gstatus(a));
      throw e;
    });
    expect(await gstatus(auto)).toMatch(/^gnutella ultrapeer/);
    expect((await openLinks(auto, 'ultrapeer')).some((l) => l.includes(`:${port} `))).toBe(true);
    expect(await openLinks(auto, 'leaf')).toHaveLength(1);
    expect(await openLinks(a, 'leaf')).toHaveLength(0);
  }, 120_000);
});
