import { afterEach, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { decodeMessage } from '../../protocols/gnutella/messages.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';
import { BYE_ROOM, flowControlCheck, flowControlReason, overflowVerdict, queueFullReason } from '../../protocols/gnutella/slow-peer.js';
import { gstatus } from './gstatus.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { leafConnect, linkedUp, rawPeer, until, upConnect, type RawPeer } from './raw-peer.js';
import { QrpTable } from '../../protocols/gnutella/qrp-table.js';

/**
 * A peer that stops reading (spec 6, gtk-gnutella's mq.c / nodes.c): a precious
 * message that would overflow its send queue ends the link with
 * `Bye 502 Send queue reached N bytes`; a link congested for the flow-control
 * limit gets `Bye 405 Flow-controlled for too long (N secs)`. The Bye goes out
 * behind what is queued (best effort: a peer that reads again within the close
 * grace gets it), and the link is closed either way.
 */
describe('slow-peer decisions', () => {
  it('keeps room for the Bye under the cap, and only precious traffic triggers it', () => {
    const cap = 64 * 1024;
    expect(overflowVerdict(0, 100, false, cap)).toBe('send');
    expect(overflowVerdict(cap - BYE_ROOM - 100, 100, false, cap)).toBe('send');
    expect(overflowVerdict(cap - BYE_ROOM - 99, 100, false, cap)).toBe('bye');
    expect(overflowVerdict(cap, 100, true, cap)).toBe('send'); // the core drops it
    expect(queueFullReason(98_304)).toBe('Send queue reached 98304 bytes');
    expect(flowControlReason(180_000)).toBe('Flow-controlled for too long (180 secs)');
    expect(flowControlReason(1_000)).toBe('Flow-controlled for too long (1 sec)');
  });

  it('kicks a link only after it stayed congested for the whole limit', () => {
    expect(flowControlCheck(false, 5, 100, 50)).toEqual({ since: undefined, kick: false });
    expect(flowControlCheck(true, undefined, 100, 50)).toEqual({ since: 100, kick: false });
    expect(flowControlCheck(true, 100, 149, 50)).toEqual({ since: 100, kick: false });
    expect(flowControlCheck(true, 100, 150, 50)).toEqual({ since: 100, kick: true });
  });
});

const nodes: GNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

/** Floods `make(i)` descriptors in batches at a peer that does not read, until our node drops the link. */
async function floodUntilDown(n: GNode, p: RawPeer, make: (i: number) => Buffer, batch: number): Promise<void> {
  let i = 0;
  for (let round = 0; round < 40 && n.of('peer.down').length === 0; round++) {
    const parts: Buffer[] = [];
    for (let k = 0; k < batch; k++) parts.push(make(i++));
    p.socket.write(Buffer.concat(parts));
    for (let w = 0; w < 10 && n.of('peer.down').length === 0; w++) await new Promise((r) => setTimeout(r, 50));
  }
  await until(() => n.of('peer.down').length > 0, 20_000);
}

/** The peer reads again the moment the link is dropped (within the close grace) and gets the Bye last. */
function readAgainOnDown(n: GNode, p: RawPeer): void {
  n.node.subscribe((e) => {
    if (e.type === 'peer.down') p.socket.resume();
  });
}

function muid(i: number, tag: number): Buffer {
  const m = Buffer.alloc(16);
  m.writeUInt32LE(i + 1, 0);
  m[15] = tag;
  return m;
}

describe('a peer that stops reading', () => {
  it('gets Bye 502 when the hits for its queries would overflow the send queue, then the link closes', async () => {
    const name = `slowword ${'x'.repeat(180)}.txt`;
    const leaf = await startGNode(0, { [name]: 'some bytes' }, { deflate: false, maintainMs: 600_000, sendQueue: { highWater: 16 * 1024, lowWater: 4 * 1024, hardCap: 64 * 1024 } });
    nodes.push(leaf);
    const up = await linkedUp(leaf.port);
    await until(() => leaf.of('peer.up').length > 0);
    up.socket.pause();
    readAgainOnDown(leaf, up);
    const payload = encodeQuery({ text: 'slowword' });
    await floodUntilDown(leaf, up, (i) => encodeDescriptor({ muid: muid(i, 0x55), type: 0x80, ttl: 1, hops: 1, payload }), 5_000);

    expect(leaf.of('peer.down')[0]!.reason).toBe('Bye 502 Send queue reached 65536 bytes');
    await up.closed;
    const last = up.descriptors.at(-1);
    expect(last?.type).toBe(0x02);
    expect(last!.ttl).toBe(1);
    expect(last!.hops).toBe(0);
    expect(decodeMessage(last!)).toEqual({ kind: 'bye', code: 502, reason: 'Send queue reached 65536 bytes' });
    // Everything before it was a hit: the queue was sent in order, nothing was cut short.
    expect(up.descriptors.slice(0, -1).every((d) => d.type === 0x81 || d.type === 0x00 || d.type === 0x30 || d.type === 0x31)).toBe(true);
    expect(await gstatus(leaf)).toContain('we sent Bye 502 1');
  }, 90_000);

  it('gets Bye 405 when it stays in flow control (congested) for the limit, with only droppable traffic for it', async () => {
    const up = await startGNode(0, {}, { mode: 'ultrapeer', deflate: false, maintainMs: 200, flowControlMs: 2_000, sendQueue: { highWater: 16 * 1024, lowWater: 4 * 1024 } });
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
    leaf.socket.pause();
    readAgainOnDown(up, leaf);
    // Last-hop queries the leaf's table matches: droppable, so its queue never overflows.
    const payload = encodeQuery({ text: `flowword ${'-'.repeat(250)}` });
    await floodUntilDown(up, rup, (i) => encodeDescriptor({ muid: muid(i, 0x66), type: 0x80, ttl: 1, hops: 1, payload }), 20_000);

    const down = up.of('peer.down');
    expect(down.map((e) => e.reason)).toEqual(['Bye 405 Flow-controlled for too long (2 secs)']);
    await leaf.closed;
    const last = leaf.descriptors.at(-1);
    expect(last?.type).toBe(0x02);
    expect(decodeMessage(last!)).toEqual({ kind: 'bye', code: 405, reason: 'Flow-controlled for too long (2 secs)' });
    expect(rup.isClosed()).toBe(false);
    expect(await gstatus(up)).toContain('we sent Bye 405 1');
    rup.socket.destroy();
  }, 90_000);
});
