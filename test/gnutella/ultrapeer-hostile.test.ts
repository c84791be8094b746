import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeDescriptor } from '../../protocols/gnutella/descriptor.js';
import { decodeMessage } from '../../protocols/gnutella/messages.js';
import { encodeQrpPatch, encodeQrpReset } from '../../protocols/gnutella/qrp-messages.js';
import { encodeQuery } from '../../protocols/gnutella/query.js';
import { eventually, gstatus, linksTo, openLinks } from './gstatus.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { leafConnect, rawPeer, until, type RawPeer } from './raw-peer.js';

const nodes: GNode[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function queriesIn(n: GNode): Promise<number> {
  let sum = 0;
  for (const line of await openLinks(n, 'ultrapeer')) sum += Number(/in: [^;]*\bquery (\d+)/.exec(line)?.[1] ?? 0);
  return sum;
}
const UP = { mode: 'ultrapeer' as const, qrpUpdateMs: 300, dqHopMs: 300, searchMs: 5_000 };

/** A raw leaf linked to `port`, past step 3; it reads the ultrapeer's deflated side. */
async function rawLeaf(port: number): Promise<RawPeer> {
  const p = await rawPeer(port);
  p.write(leafConnect(['Accept-Encoding: deflate']));
  await until(() => p.text().includes('\r\n\r\n'));
  expect(p.text()).toMatch(/^GNUTELLA\/0\.6 200/);
  p.write('GNUTELLA/0.6 200 OK\r\n\r\n');
  p.binary({ inflate: true });
  return p;
}

describe('our ultrapeer under hostile leaves', () => {
  it('a QRP patch that inflates to 100 MB gets Bye 413 and a closed link; other leaves keep their service', async () => {
    const up = await startGNode(0, {}, UP);
    nodes.push(up);
    const good = await startGNode(1, { 'kept_service.txt': 'ok '.repeat(50) }, { links: 1, peers: [`127.0.0.1:${up.port}`] });
    nodes.push(good);
    await eventually(async () => /qrp complete/.test(await gstatus(up)), 20_000);

    const p = await rawLeaf(up.port);
    const bomb = deflateSync(Buffer.alloc(100 * 1024 * 1024));
    const chunk = 4096;
    const n = Math.ceil(bomb.length / chunk);
    expect(n).toBeLessThan(256);
    p.write(encodeDescriptor({ muid: Buffer.alloc(16, 1), type: 0x30, ttl: 1, hops: 0, payload: encodeQrpReset(65_536, 7) }));
    for (let i = 0; i < n; i++) {
      p.write(encodeDescriptor({ muid: Buffer.alloc(16, 2 + (i % 200)), type: 0x30, ttl: 1, hops: 0, payload: encodeQrpPatch({ seqNo: i + 1, seqSize: n, compressor: 1, entryBits: 4, data: bomb.subarray(i * chunk, (i + 1) * chunk) }) }));
    }
    await p.closed;
    await until(() => p.descriptors.some((d) => d.type === 0x02));
    expect(decodeMessage(p.descriptors.find((d) => d.type === 0x02)!)).toMatchObject({ kind: 'bye', code: 413 });
    expect(process.memoryUsage().rss).toBeLessThan(1024 * 1024 * 1024);

    // The real leaf is still linked and still answers through the ultrapeer.
    const asker = await startGNode(2, {}, { links: 1, peers: [`127.0.0.1:${up.port}`] });
    nodes.push(asker);
    await eventually(async () => (await openLinks(asker, 'ultrapeer')).length === 1, 20_000);
    await asker.node.run('files', 'search', ['-p', 'gnutella', 'kept', 'service']);
    await asker.waitFor(() => asker.of('search.hit').length > 0, 15_000);
  }, 60_000);

  it('a leaf flooding queries is throttled while another leaf keeps its service', async () => {
    const up = await startGNode(0, {}, UP);
    nodes.push(up);
    const holder = await startGNode(1, { 'flood_target.txt': 'x'.repeat(100), 'quiet_answer.txt': 'y'.repeat(100) }, { links: 1, peers: [`127.0.0.1:${up.port}`] });
    nodes.push(holder);
    const asker = await startGNode(2, {}, { links: 1, peers: [`127.0.0.1:${up.port}`] });
    nodes.push(asker);
    await eventually(async () => /qrp complete/.test(await gstatus(up)) && (await openLinks(asker, 'ultrapeer')).length === 1, 20_000);

    const flooder = await rawLeaf(up.port);
    for (let i = 0; i < 2_000; i++) {
      const muid = Buffer.alloc(16);
      muid.writeUInt32LE(i + 1, 0);
      flooder.write(encodeDescriptor({ muid, type: 0x80, ttl: 3, hops: 0, payload: encodeQuery({ text: 'flood target' }) }));
    }
    await eventually(async () => /(\d{3,}) queries throttled/.test(await gstatus(up)), 20_000, () => gstatus(up));

    await asker.node.run('files', 'search', ['-p', 'gnutella', 'quiet', 'answer']);
    await asker.waitFor(() => asker.of('search.hit').some((h) => h.name === 'quiet_answer.txt'), 15_000);
    // The holder saw at most the flooder's allowance (a burst of 10 and 1 a second), plus the asker's query.
    const got = await queriesIn(holder);
    expect(got).toBeGreaterThanOrEqual(2);
    expect(got).toBeLessThan(40);
    expect(flooder.isClosed()).toBe(false);
    flooder.socket.destroy();
  }, 60_000);

  it('1,000 half-open connections from ten addresses do not stop the ultrapeer from taking a real leaf', async () => {
    const up = await startGNode(0, {}, UP);
    nodes.push(up);
    const sockets: Socket[] = [];
    cleanups.push(() => sockets.forEach((s) => s.destroy()));
    await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => {
        const s = connect({ host: '127.0.0.1', port: up.port, localAddress: `127.0.0.${2 + (i % 10)}` });
        s.on('error', () => undefined);
        sockets.push(s);
        return new Promise<void>((r) => (s.once('connect', () => r()), s.once('error', () => r()), s.once('close', () => r())));
      }),
    );
    const leaf = await startGNode(1, {}, { links: 1, peers: [`127.0.0.1:${up.port}`] });
    nodes.push(leaf);
    await eventually(async () => (await openLinks(up, 'leaf')).length === 1, 10_000, () => gstatus(up));
    expect(sockets.filter((s) => !s.destroyed).length).toBeLessThanOrEqual(1_000);
  }, 60_000);
});

describe('an ultrapeer killed with SIGKILL', () => {
  it('is replaced by its leaves within 30 s', async () => {
    const other = await startGNode(0, {}, UP);
    nodes.push(other);
    const dataDir = await mkdtemp(join(tmpdir(), 'peerdeck-up-'));
    const bin = fileURLToPath(new URL('../../bin/peerdeck.js', import.meta.url));
    // --no-chat: with chat on, the child would listen on the fixed chat port (6350) and exit at once
    // whenever another process on the machine holds it (a suite running beside this one).
    const child = spawn(process.execPath, [bin, '--headless', '--json', '--no-discovery', '--no-chat', '--data-dir', dataDir, '--gnutella', '--gnutella-port', '0', '--gnutella-host', '127.0.0.1', '--gnutella-mode', 'ultrapeer', '--gnutella-peer', `127.0.0.1:${other.port}`]);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    });
    const port = await new Promise<number>((resolve, reject) => {
      // Start-up is not what is timed here: a loaded machine gets time, a child that exits is reported at once.
      const t = setTimeout(() => reject(new Error(`the child ultrapeer never said ready in 60 s; stderr: ${stderr.slice(-500)}`)), 60_000);
      child.once('exit', (code, signal) => (clearTimeout(t), reject(new Error(`the child ultrapeer exited (${code ?? signal}) before it said ready; stderr: ${stderr.slice(-500)}`))));
      createInterface({ input: child.stdout }).on('line', (line) => {
        try {
          const e = JSON.parse(line) as { type: string; ports?: Record<string, number> };
          if (e.type === 'ready' && e.ports?.gnutella) (clearTimeout(t), resolve(e.ports.gnutella));
        } catch {
          // not an event line
        }
      });
    });
    const leaves: GNode[] = [];
    for (let i = 0; i < 3; i++) {
      const l = await startGNode(1 + i, {}, { links: 1, peers: [`127.0.0.1:${port}`] });
      nodes.push(l);
      leaves.push(l);
    }
    for (const l of leaves) {
      await eventually(async () => (await openLinks(l, 'ultrapeer')).some((x) => linksTo(x, port)), 20_000, () => gstatus(l));
      // The other ultrapeer is known (as a user's /gconnect or a pong would make it) but not dialled: one link is all a leaf wants here.
      await l.node.run('gnutella', 'gconnect', [`127.0.0.1:${other.port}`]);
    }
    child.kill('SIGKILL');
    const t0 = Date.now();
    // The leaf dials the other ultrapeer, or the other dials the leaf first: either direction is the same link.
    for (const l of leaves) await eventually(async () => (await openLinks(l, 'ultrapeer')).some((x) => linksTo(x, other.port)), 30_000, () => gstatus(l));
    expect(Date.now() - t0).toBeLessThan(30_000);
    // The leaf's side opens at step 2, the ultrapeer's at step 3: a moment later.
    await eventually(async () => (await openLinks(other, 'leaf')).filter((x) => leaves.some((l) => linksTo(x, l.port))).length === 3, 5_000, () => gstatus(other));
  }, 150_000);
});
