/**
 * A pushed download beside a direct one (issue 11): four headless peerdeck
 * processes on 127.0.0.1: an ultrapeer, two leaves sharing the same file (one
 * with `--gnutella-firewalled`, one reachable) and a downloading leaf. Each
 * round `/get`s the file once from each holder, alternating, through the
 * user's whole path: for the firewalled holder the push (its ultrapeer as push
 * proxy, or a routed Push), the GIV callback to the downloader's port, then
 * HTTP on that socket; for the other a direct HTTP connection. Both end in
 * the transfer engine (.part, SHA-1 on the fly, rename). The figure is the
 * download rate from `/get` to `transfer.done`, setup included.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MB, warm, writeBigFile } from './lib-bench-files.js';
import { headless, untilHashed, type Event, type Headless } from './lib-headless.js';
import { compare, report } from './lib-measure.js';

const FILE_BYTES = Number(process.env.GNUTELLA_PUSH_FILE_MB ?? 256) * MB;
const NAME = 'pushbench_file.bin';
const gnutella = (port = '0'): string[] => ['--no-chat', '--gnutella', '--gnutella-host', '127.0.0.1', '--gnutella-port', port];

const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-gnutella-push-'));
const nodes: Headless[] = [];
const start = async (args: string[]): Promise<{ node: Headless; port: number }> => {
  const node = headless(args);
  nodes.push(node);
  const ready = await node.next((e) => e.type === 'ready');
  const port = (ready.ports as Record<string, number> | undefined)?.gnutella;
  if (port === undefined) throw new Error('a headless node reported no gnutella port');
  return { node, port };
};

try {
  const share = join(dir, 'share');
  await mkdir(share, { recursive: true });
  await writeBigFile(join(share, NAME), FILE_BYTES);
  await warm(join(share, NAME));
  const up = await start([...gnutella(), '--gnutella-mode', 'ultrapeer', '--data-dir', join(dir, 'up')]);
  const peer = ['--gnutella-peer', `127.0.0.1:${up.port}`];
  const fw = await start([...gnutella(), ...peer, '--gnutella-firewalled', '--share', share, '--data-dir', join(dir, 'fw')]);
  const open = await start([...gnutella(), ...peer, '--share', share, '--data-dir', join(dir, 'open')]);
  const dl = await start([...gnutella(), ...peer, '--data-dir', join(dir, 'dl'), '--downloads', join(dir, 'downloads')]);
  await untilHashed(fw.node);
  await untilHashed(open.node);
  await dl.node.next((e) => e.type === 'notice' && String(e.text).startsWith('not firewalled'), 30_000);

  // Both holders' hits (QRP tables may take a moment to reach the ultrapeer).
  let pushed: Event | undefined;
  let direct: Event | undefined;
  for (let i = 0; i < 20 && !(pushed && direct); i++) {
    const isHit = (e: Event, firewalled: boolean): boolean => e.type === 'search.hit' && e.name === NAME && e.firewalled === firewalled;
    const a = dl.node.upcoming((e) => isHit(e, true), 3_000).catch(() => undefined);
    const b = dl.node.upcoming((e) => isHit(e, false), 3_000).catch(() => undefined);
    dl.node.send('/search -p gnutella pushbench');
    [pushed, direct] = [(await a) ?? pushed, (await b) ?? direct];
  }
  if (!pushed || !direct) throw new Error('the downloader did not get hits from both holders');

  const get = async (hit: Event): Promise<number> => {
    const done = dl.node.upcoming((e) => e.type === 'transfer.done' || e.type === 'transfer.failed', 300_000);
    const t0 = performance.now();
    dl.node.send(`/get ${String(hit.n)}`);
    const e = await done;
    const secs = (performance.now() - t0) / 1000;
    if (e.type !== 'transfer.done' || e.verified !== true || e.bytes !== FILE_BYTES) throw new Error(`download failed: ${JSON.stringify(e)}`);
    await rm(String(e.path), { force: true });
    return FILE_BYTES / MB / secs;
  };
  const r = await compare(
    () => get(pushed),
    () => get(direct),
  );
  report({
    name: 'gnutella.push_download',
    title: `download of ${FILE_BYTES / MB} MiB from a firewalled leaf by push (GIV, then HTTP on that socket), /get to transfer.done`,
    unit: 'MB/s',
    better: 'higher',
    ours: r.ours,
    // No target in issue 11: the figure says what a push costs next to a direct download.
    reference: { label: 'the same file from a reachable leaf, direct HTTP', stats: r.reference! },
  });
  dl.node.send('/gstatus');
  const status = await dl.node.upcoming((e) => e.type === 'notice' && String(e.text).startsWith('push: sent'), 10_000).catch(() => undefined);
  if (status) console.log(`gnutella.push_download: downloader ${String(status.text)}`);
} finally {
  for (const n of nodes.reverse()) await n.stop();
  await rm(dir, { recursive: true, force: true });
}
