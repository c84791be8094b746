import { afterEach, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { decodeMessage } from '../../protocols/gnutella/messages.js';
import { leafKbytes } from '../../protocols/gnutella/pong.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { linkedUp, until } from './raw-peer.js';

const nodes: GNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

/**
 * Pings come as fast as a peer likes (spec 2.6: every one gets our pong). Our
 * pong's file count and size are the library's totals: answering a flood of
 * pings walks no list of shared files (it used to walk the whole share per
 * ping, a cost a hostile peer could multiply at will).
 */
describe('answering pings', () => {
  it('gives the share totals in every pong without walking the shared files', async () => {
    const leaf = await startGNode(0, { 'a.bin': Buffer.alloc(3_000), 'b.bin': Buffer.alloc(5_000), 'c.txt': 'hello' }, { maintainMs: 600_000 });
    nodes.push(leaf);
    const up = await linkedUp(leaf.port);
    await until(() => up.descriptors.some((d) => d.type === 0x30));
    let walks = 0;
    const share = leaf.share;
    const entries = share.entries.bind(share);
    share.entries = () => {
      walks++;
      return entries();
    };
    const PINGS = 300;
    const pings: Buffer[] = [];
    for (let i = 0; i < PINGS; i++) {
      const muid = Buffer.alloc(16, 0x31);
      muid.writeUInt32LE(i, 0);
      pings.push(encodeDescriptor({ muid, type: 0x00, ttl: 1, hops: 0, payload: Buffer.alloc(0) }));
    }
    up.write(Buffer.concat(pings));
    await until(() => up.descriptors.filter((d) => d.type === 0x01 && d.muid[4] === 0x31).length === PINGS, 20_000);
    expect(walks).toBe(0);
    const pong = decodeMessage(up.descriptors.find((d) => d.type === 0x01 && d.muid[4] === 0x31)!);
    expect(pong).toMatchObject({ kind: 'pong', files: 3, kbytes: 7 });
    up.socket.destroy();
  }, 60_000);

  it("a leaf's pong never carries a power-of-two size (the ultrapeer mark): 16 KiB shared is said as 17", async () => {
    expect([0, 1, 7, 8, 9, 16, 1024, 0xffff_ffff].map(leafKbytes)).toEqual([0, 1, 7, 9, 9, 17, 1025, 0xffff_ffff]);
    const leaf = await startGNode(0, { 'sixteen.bin': Buffer.alloc(16 * 1024) }, { maintainMs: 600_000 });
    nodes.push(leaf);
    const up = await linkedUp(leaf.port);
    const muid = Buffer.alloc(16, 0x44);
    up.write(encodeDescriptor({ muid, type: 0x00, ttl: 1, hops: 0, payload: Buffer.alloc(0) }));
    await until(() => up.descriptors.some((d) => d.type === 0x01 && d.muid.equals(muid)));
    expect(decodeMessage(up.descriptors.find((d) => d.type === 0x01 && d.muid.equals(muid))!)).toMatchObject({ kind: 'pong', files: 1, kbytes: 17 });
    up.socket.destroy();
  });
});
