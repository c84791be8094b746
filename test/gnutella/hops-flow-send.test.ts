/**
 * Sending Hops Flow when our queue to a peer is congested (hops-flow-sender.ts),
 * as gtk-gnutella does: a raw ultrapeer that lists BEAR/4 in Messages Supported
 * stops reading while it floods our leaf with queries; once the leaf's send queue
 * to it passes the high mark the leaf tells it Hops Flow 0 (shown in /gstatus),
 * and when the raw peer reads again and the queue drains, Hops Flow 255.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeDescriptor, type Descriptor } from '../../protocols/gnutella/descriptor.js';
import { CONGESTED_FLOW, HOPS_FLOW_GAP_MS, hopsFlowToSend } from '../../protocols/gnutella/hops-flow-sender.js';
import { decodeHopsFlow, HOPS_FLOW_MESSAGES, HOPS_FLOW_OPEN } from '../../protocols/gnutella/hops-flow.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';
import { decodeVendor, encodeMessagesSupported } from '../../protocols/gnutella/vendor.js';
import { eventually, gstatus } from './gstatus.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { linkedUp, until, type RawPeer } from './raw-peer.js';

describe('when to send Hops Flow', () => {
  const open = { value: HOPS_FLOW_OPEN, at: -Infinity };
  it('sends 0 on congestion and 255 once drained, only to a peer that lists it, one change a second at most', () => {
    expect(hopsFlowToSend(open, false, true, 0)).toBeUndefined();
    expect(hopsFlowToSend(open, true, true, 0)).toBe(CONGESTED_FLOW);
    expect(hopsFlowToSend(open, true, false, 0)).toBeUndefined();
    const shut = { value: CONGESTED_FLOW, at: 5_000 };
    expect(hopsFlowToSend(shut, true, true, 9_000)).toBeUndefined();
    expect(hopsFlowToSend(shut, false, true, 5_000 + HOPS_FLOW_GAP_MS - 1)).toBeUndefined();
    expect(hopsFlowToSend(shut, false, true, 5_000 + HOPS_FLOW_GAP_MS)).toBe(HOPS_FLOW_OPEN);
    expect(hopsFlowToSend({ value: HOPS_FLOW_OPEN, at: 5_000 }, true, true, 5_500)).toBeUndefined();
  });
});

const nodes: GNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

/** The Hops Flow values the raw peer got, in order. */
function hopsFlows(p: RawPeer): number[] {
  const out: number[] = [];
  for (const d of p.descriptors as Descriptor[]) {
    if (d.type !== 0x31) continue;
    const h = decodeHopsFlow(decodeVendor(d.payload));
    if (h !== undefined) out.push(h);
  }
  return out;
}

/** Queries that each get a hit, in batches at a peer that does not read, until `enough`. */
async function flood(leaf: GNode, up: RawPeer, enough: () => Promise<boolean>): Promise<void> {
  const payload = encodeQuery({ text: 'flowword' });
  let i = 0;
  for (let round = 0; round < 60 && !(await enough()); round++) {
    const parts: Buffer[] = [];
    for (let k = 0; k < 2_000; k++, i++) {
      const muid = Buffer.alloc(16);
      muid.writeUInt32LE(i + 1, 0);
      muid[15] = 0x66;
      parts.push(encodeDescriptor({ muid, type: 0x80, ttl: 1, hops: 1, payload }));
    }
    up.socket.write(Buffer.concat(parts));
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await enough()).toBe(true);
  expect(leaf.of('peer.down')).toHaveLength(0);
}

describe('a peer we cannot send to fast enough', () => {
  it('is told Hops Flow 0 while our queue to it is congested, and 255 once it drains', async () => {
    const name = `flowword ${'x'.repeat(180)}.txt`;
    const leaf = await startGNode(0, { [name]: 'some bytes' }, { deflate: false, sendQueue: { highWater: 16 * 1024, lowWater: 4 * 1024, hardCap: 64 * 1024 * 1024 } });
    nodes.push(leaf);
    const up = await linkedUp(leaf.port);
    up.write(encodeDescriptor({ muid: Buffer.alloc(16, 9), type: 0x31, ttl: 1, hops: 0, payload: encodeMessagesSupported(HOPS_FLOW_MESSAGES) }));
    await until(() => leaf.of('peer.up').length > 0);
    up.socket.pause();
    const told = async (): Promise<boolean> => /told hops flow 0/.test(await gstatus(leaf));
    await flood(leaf, up, told);
    expect(hopsFlows(up)).toEqual([]);
    up.socket.resume();
    // Queries still unread when it resumed may congest the queue again: 0 and 255 alternate, 255 last.
    await eventually(async () => !(await told()) && hopsFlows(up).at(-1) === HOPS_FLOW_OPEN, 20_000, () => gstatus(leaf));
    const said = hopsFlows(up);
    expect(said.slice(0, 2)).toEqual([CONGESTED_FLOW, HOPS_FLOW_OPEN]);
    said.forEach((h, k) => expect(h).toBe(k % 2 === 0 ? CONGESTED_FLOW : HOPS_FLOW_OPEN));
    expect(leaf.of('peer.down')).toHaveLength(0);
  }, 60_000);

  it('tells a peer that did not list Hops Flow nothing, congested or not', async () => {
    const name = `flowword ${'x'.repeat(180)}.txt`;
    const leaf = await startGNode(0, { [name]: 'some bytes' }, { deflate: false, sendQueue: { highWater: 16 * 1024, lowWater: 4 * 1024, hardCap: 64 * 1024 * 1024 } });
    nodes.push(leaf);
    const up = await linkedUp(leaf.port);
    await until(() => leaf.of('peer.up').length > 0);
    up.socket.pause();
    await flood(leaf, up, async () => /send queue congested/.test(await gstatus(leaf)));
    up.socket.resume();
    await eventually(async () => !/send queue congested/.test(await gstatus(leaf)), 20_000, () => gstatus(leaf));
    // A probe after the drain: its hit comes after anything the congestion could have made us say.
    up.write(encodeDescriptor({ muid: Buffer.alloc(16, 0x77), type: 0x80, ttl: 1, hops: 1, payload: encodeQuery({ text: 'flowword' }) }));
    await until(() => up.descriptors.some((d) => d.type === 0x81 && d.muid.equals(Buffer.alloc(16, 0x77))), 20_000);
    expect(hopsFlows(up)).toEqual([]);
  }, 60_000);
});
