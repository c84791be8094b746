import { afterEach, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { QrpTable } from '../../protocols/gnutella/qrp-table.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';
import { encodeQueryHit } from '../../protocols/gnutella/query-hit.js';
import { gstatus } from './gstatus.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { leafConnect, rawPeer, until, upConnect } from './raw-peer.js';

const nodes: GNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

describe('flow control on a backed-up leaf link', () => {
  it('queries to a leaf that stopped reading are dropped, the link stays, and a QueryHit for it is queued, never dropped', async () => {
    // Plain links (--gnutella-no-deflate) so the queries fill the send queue instead of compressing away.
    const up = await startGNode(0, {}, { mode: 'ultrapeer', deflate: false, dqHopMs: 300 });
    nodes.push(up);
    const leaf = await rawPeer(up.port);
    leaf.write(leafConnect());
    await until(() => leaf.text().includes('\r\n\r\n'));
    leaf.write('GNUTELLA/0.6 200 OK\r\n\r\n');
    leaf.binary();
    const t = new QrpTable();
    t.addFile('flowword.txt');
    for (const payload of t.updateMessages()) leaf.write(encodeDescriptor({ muid: Buffer.alloc(16, 9), type: 0x30, ttl: 1, hops: 0, payload }));
    const rup = await rawPeer(up.port);
    rup.write(upConnect());
    await until(() => rup.text().includes('\r\n\r\n'));
    rup.write('GNUTELLA/0.6 200 OK\r\n\r\n');
    rup.binary();
    for (let i = 0; i < 200 && !/qrp complete/.test(await gstatus(up)); i++) await new Promise((r) => setTimeout(r, 50));

    // The leaf stops reading; the raw ultrapeer floods last-hop queries the leaf's table matches.
    leaf.socket.pause();
    const FLOOD = 60_000;
    const payload = encodeQuery({ text: `flowword ${'-'.repeat(250)}` });
    const parts: Buffer[] = [];
    for (let i = 0; i < FLOOD; i++) {
      const muid = Buffer.alloc(16);
      muid.writeUInt32LE(i + 1, 0);
      muid[15] = 0x77;
      parts.push(encodeDescriptor({ muid, type: 0x80, ttl: 1, hops: 1, payload }));
    }
    rup.write(Buffer.concat(parts));
    for (let i = 0; i < 400; i++) {
      const line = (await gstatus(up)).split('\n').find((l) => l.startsWith('  ultrapeer ') && / open /.test(l)) ?? '';
      if (Number(/in: [^;]*\bquery (\d+)/.exec(line)?.[1] ?? 0) >= FLOOD) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const leafLine = (await gstatus(up)).split('\n').find((l) => l.startsWith('  leaf ') && / open /.test(l));
    expect(leafLine).toBeDefined();
    const out = Number(/out: [^;]*\bquery (\d+)/.exec(leafLine!)?.[1] ?? 0);
    expect(out).toBeGreaterThan(0);
    expect(out).toBeLessThan(FLOOD);

    // The leaf asks something; the raw ultrapeer answers with a hit that must reach the (still paused) leaf.
    const ask = Buffer.alloc(16, 0x42);
    leaf.write(encodeDescriptor({ muid: ask, type: 0x80, ttl: 3, hops: 0, payload: encodeQuery({ text: 'needle' }) }));
    await until(() => rup.descriptors.some((d) => d.type === 0x80 && d.muid.equals(ask)), 10_000);
    const hit = encodeQueryHit({ port: 6346, ip: '127.0.0.1', speed: 100, results: [{ index: 1, size: 10, name: 'needle.txt' }], vendor: 'TEST', push: false, busy: false, uploaded: false, serventGuid: Buffer.alloc(16, 0x11) });
    rup.write(encodeDescriptor({ muid: ask, type: 0x81, ttl: 3, hops: 0, payload: hit }));
    await new Promise((r) => setTimeout(r, 300));
    leaf.socket.resume();
    await until(() => leaf.descriptors.some((d) => d.type === 0x81 && d.muid.equals(ask)), 20_000);
    expect(leaf.isClosed()).toBe(false);
    leaf.socket.destroy();
    rup.socket.destroy();
  }, 60_000);
});
