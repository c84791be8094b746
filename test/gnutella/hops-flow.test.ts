/**
 * Hops Flow, BEAR/4v1 (hops-flow.ts), as gtk-gnutella honours it: we list it in
 * Messages Supported, and a neighbour that sends h gets only queries whose hops,
 * as sent, are below h (0: none; 255: all again).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { decodeHopsFlow, hopsFlowAllows } from '../../protocols/gnutella/hops-flow.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';
import { decodeMessagesSupported, decodeVendor, encodeVendor } from '../../protocols/gnutella/vendor.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { leafConnect, rawPeer, until, upConnect, type RawPeer } from './raw-peer.js';
import { QrpReceiver } from '../../protocols/gnutella/qrp-receiver.js';
import { QrpTable } from '../../protocols/gnutella/qrp-table.js';
import { decodeQrp } from '../../protocols/gnutella/qrp-messages.js';

describe('a Hops Flow message', () => {
  it('says h for BEAR/4 v1 (and v0), nothing for a later version, an empty body or another message', () => {
    const hf = (version: number, body: number[]): number | undefined => decodeHopsFlow(decodeVendor(encodeVendor({ vendor: 'BEAR', selector: 4, version, body: Buffer.from(body) })));
    expect(hf(1, [0])).toBe(0);
    expect(hf(1, [3, 9])).toBe(3);
    expect(hf(0, [2])).toBe(2);
    expect(hf(2, [0])).toBeUndefined();
    expect(hf(1, [])).toBeUndefined();
    expect(decodeHopsFlow(decodeVendor(encodeVendor({ vendor: 'BEAR', selector: 7, version: 1, body: Buffer.from([0]) })))).toBeUndefined();
    expect(hopsFlowAllows(0, 0)).toBe(false);
    expect(hopsFlowAllows(1, 2)).toBe(true);
    expect(hopsFlowAllows(2, 2)).toBe(false);
  });
});

describe('an ultrapeer whose neighbour sends Hops Flow', () => {
  let up: GNode;
  beforeAll(async () => {
    up = await startGNode(0, {}, { mode: 'ultrapeer' });
  });
  afterAll(async () => {
    await up.stop();
  });

  async function link(extra: string[] = []): Promise<RawPeer> {
    const p = await rawPeer(up.port);
    p.write(upConnect(extra));
    await until(() => p.text().includes('\r\n\r\n'));
    p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
    p.binary();
    await until(() => p.descriptors.some((d) => d.type === 0x00));
    return p;
  }
  /** A ping answered: everything the peer sent before it has been taken in. */
  async function synced(p: RawPeer): Promise<void> {
    const muid = randomBytes(16);
    p.write(encodeDescriptor({ muid, type: 0x00, ttl: 1, hops: 0, payload: Buffer.alloc(0) }));
    await until(() => p.descriptors.some((d) => d.type === 0x01 && d.muid.equals(muid)));
  }
  let n = 0;
  /** B sends a query with `hops`; whether A receives it. */
  async function reaches(a: RawPeer, b: RawPeer, hops: number): Promise<boolean> {
    const muid = Buffer.alloc(16, ++n);
    b.write(encodeDescriptor({ muid, type: 0x80, ttl: 3, hops, payload: encodeQuery({ text: `flow word ${n}` }) }));
    await synced(b);
    await new Promise((r) => setTimeout(r, 200));
    return a.descriptors.some((d) => d.type === 0x80 && d.muid.equals(muid));
  }

  it('lists BEAR/4v1, sends it no query at 0, only those below h, and all again at 255', async () => {
    const a = await link(['Vendor-Message: 0.2']);
    const b = await link();
    await until(() => a.descriptors.some((d) => d.type === 0x31 && d.payload.readUInt16LE(4) === 0));
    const supported = decodeMessagesSupported(decodeVendor(a.descriptors.find((d) => d.type === 0x31 && d.payload.readUInt16LE(4) === 0)!.payload).body);
    expect(supported).toContainEqual({ vendor: 'BEAR', selector: 4, version: 1 });

    expect(await reaches(a, b, 0)).toBe(true);
    a.write(hopsFlow(0));
    await synced(a);
    expect(await reaches(a, b, 0)).toBe(false);
    a.write(hopsFlow(2));
    await synced(a);
    expect(await reaches(a, b, 0)).toBe(true);
    expect(await reaches(a, b, 1)).toBe(false);
    a.write(hopsFlow(255));
    await synced(a);
    expect(await reaches(a, b, 1)).toBe(true);
    for (const p of [a, b]) p.socket.destroy();
  });
});

const hopsFlow = (h: number): Buffer => encodeDescriptor({ muid: Buffer.alloc(16), type: 0x31, ttl: 1, hops: 0, payload: encodeVendor({ vendor: 'BEAR', selector: 4, version: 1, body: Buffer.from([h]) }) });

describe("an ultrapeer's last-hop table", () => {
  let up: GNode;
  beforeAll(async () => {
    up = await startGNode(0, {}, { mode: 'ultrapeer', qrpUpdateMs: 200, maintainMs: 100 });
  });
  afterAll(async () => {
    await up.stop();
  });

  it('leaves out a leaf whose Hops Flow is below 3, and takes it back at 3', async () => {
    // An ultrapeer neighbour that reads our last-hop table as we send it.
    const a = await rawPeer(up.port);
    a.write(upConnect(['X-Ultrapeer-Query-Routing: 0.1']));
    await until(() => a.text().includes('\r\n\r\n'));
    a.write('GNUTELLA/0.6 200 OK\r\n\r\n');
    a.binary();
    const theirs = new QrpReceiver();
    let fed = 0;
    const table = (): QrpReceiver => {
      for (const d of a.descriptors.slice(fed)) {
        fed++;
        if (d.type !== 0x30) continue;
        const m = decodeQrp(d.payload);
        if (m.kind === 'qrp-reset') theirs.reset(m);
        else theirs.patch(m);
      }
      return theirs;
    };
    const leaf = await rawPeer(up.port);
    leaf.write(leafConnect(['Accept-Encoding: deflate']));
    await until(() => leaf.text().includes('\r\n\r\n'));
    leaf.write('GNUTELLA/0.6 200 OK\r\n\r\n');
    leaf.binary({ inflate: true });
    const t = new QrpTable();
    t.addFile('zanzibar quokka.txt');
    for (const payload of t.updateMessages()) leaf.write(encodeDescriptor({ muid: randomBytes(16), type: 0x30, ttl: 1, hops: 0, payload }));
    await until(() => table().matches('zanzibar quokka'));
    leaf.write(hopsFlow(2));
    await until(() => !table().matches('zanzibar quokka'));
    leaf.write(hopsFlow(3));
    await until(() => table().matches('zanzibar quokka'));
    for (const p of [a, leaf]) p.socket.destroy();
  });
});
