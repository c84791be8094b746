/**
 * The Napster client (issue 13), through real headless processes on
 * 127.0.0.1: a peerdeck Napster server, an uploader sharing a folder from its
 * data port, and a downloader that /search-es and /get-s through the server.
 *
 * - napster.download: a download from a peer's data port (target >= 0.9 x
 *   nginx + curl on the same file, both writing it to disk in the same run);
 *   the bytes take the user's path: 203 -> 607 -> 608 -> 204, GET on the
 *   data port, the uploader's transfer engine, the downloader's engine (.part,
 *   size check, SHA-1, rename).
 * - napster.share: sharing a 100,000-file library (hashes cached) until the
 *   server has the whole share list (the 5,000 it takes), target < 2 s.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile, link } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MB, hasTool, run, warm, writeBigFile } from './lib-bench-files.js';
import { headless, untilHashed, type Event, type Headless } from './lib-headless.js';
import { belowTarget, compare, measure, ratioTarget, report, skip } from './lib-measure.js';
import { startNginx } from './lib-nginx.js';

const FILE_BYTES = Number(process.env.NAPSTER_FILE_MB ?? 1024) * MB;
const SHARE_FILES = Number(process.env.NAPSTER_SHARE_FILES ?? 100_000);
const DL_TITLE = `Napster download of ${FILE_BYTES / MB} MiB from a peer's data port (headless processes)`;
const SHARE_TITLE = `Napster: a ${SHARE_FILES}-file library reaches the server (5,000 taken)`;

/** Runs a command in a headless child and waits for the event that says it worked. */
async function command(node: Headless, line: string, until: (e: Event) => boolean, waitMs = 120_000): Promise<Event> {
  const seen = node.upcoming(until, waitMs);
  node.send(line);
  return seen;
}

const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-napster-'));
const children: Headless[] = [];
let nginx: { port: number; stop(): Promise<void> } | undefined;
try {
  const server = headless(['--no-chat', '--data-dir', join(dir, 'server'), '--napster-server', '--napster-port', '0', '--napster-host', '127.0.0.1']);
  children.push(server);
  const sport = ((await server.next((e) => e.type === 'ready')).ports as Record<string, number>).napster;
  if (!sport) throw new Error('the server reported no napster port');
  const login = `/nlogin 127.0.0.1:${sport}`;
  // Headless clients cannot be asked for the password: each gets it from a file.
  const pwFile = join(dir, 'napster-password');
  await writeFile(pwFile, 'benchpw\n');
  const pw = ['--napster-password-file', pwFile];
  const online = (e: Event): boolean => e.type === 'peer.up' && e.protocol === 'napster';

  // --- download from a peer's data port, beside nginx + curl ---
  const missing = !hasTool('curl') ? 'curl not installed' : !hasTool('nginx', ['-v']) ? 'nginx not installed (apt-get install nginx-light)' : undefined;
  if (missing) skip('napster.download', DL_TITLE, missing);
  else {
    const share = join(dir, 'share');
    const www = join(dir, 'www');
    const downloads = join(dir, 'downloads');
    await mkdir(share, { recursive: true });
    await mkdir(www, { recursive: true });
    await mkdir(downloads, { recursive: true });
    await writeBigFile(join(share, 'big.bin'), FILE_BYTES);
    await link(join(share, 'big.bin'), join(www, 'big.bin'));
    await warm(join(www, 'big.bin'));
    const up = headless(['--no-chat', '--data-dir', join(dir, 'up'), '--share', share, '--napster-nick', 'uploader', ...pw, '--napster-data-port', '0', '--napster-data-host', '127.0.0.1']);
    children.push(up);
    await up.next((e) => e.type === 'ready');
    await untilHashed(up);
    await command(up, login, online);
    const down = headless(['--no-chat', '--data-dir', join(dir, 'down'), '--downloads', downloads, '--napster-nick', 'downloader', ...pw]);
    children.push(down);
    await down.next((e) => e.type === 'ready');
    await command(down, login, online);
    let n = 0;
    for (let tries = 0; n === 0 && tries < 50; tries++) {
      const hit = command(down, '/search big', (e) => (e.type === 'search.hit' && e.name === 'big.bin') || (e.type === 'search.done' && e.protocol === 'napster'));
      const e = await hit;
      if (e.type === 'search.hit') n = Number(e.n);
      else await new Promise((r) => setTimeout(r, 100)); // the share list is still on its way
    }
    if (n === 0) throw new Error('the downloader never found big.bin');
    nginx = await startNginx(dir, www, 'big.bin');
    const ours = async (): Promise<number> => {
      const t0 = performance.now();
      const done = await command(down, `/get ${n}`, (e) => (e.type === 'transfer.done' || e.type === 'transfer.failed') && e.name === 'big.bin', 600_000);
      const s = (performance.now() - t0) / 1000;
      if (done.type !== 'transfer.done' || done.bytes !== FILE_BYTES) throw new Error(`download failed: ${JSON.stringify(done)}`);
      for (const f of await readdir(downloads)) await rm(join(downloads, f), { force: true });
      return FILE_BYTES / MB / s;
    };
    const reference = async (): Promise<number> => {
      const out = join(downloads, 'curl.bin');
      const t0 = performance.now();
      await run('curl', ['-s', '-o', out, `http://127.0.0.1:${nginx!.port}/big.bin`]);
      const s = (performance.now() - t0) / 1000;
      await rm(out, { force: true });
      return FILE_BYTES / MB / s;
    };
    const r = await compare(ours, reference, Number(process.env.NAPSTER_ROUNDS ?? 3));
    report({
      name: 'napster.download',
      title: DL_TITLE,
      unit: 'MB/s',
      better: 'higher',
      ours: r.ours,
      reference: { label: 'nginx + curl -o file', stats: r.reference! },
      target: ratioTarget(0.9, r.ours, r.reference!, 'higher'),
    });
    await up.stop();
    await down.stop();
  }

  // --- a 100,000-file library reaching the server ---
  const lib = join(dir, 'library');
  const PER_DIR = 1000;
  for (let d = 0; d * PER_DIR < SHARE_FILES; d++) {
    const sub = join(lib, `album ${d}`);
    await mkdir(sub, { recursive: true });
    const writes: Promise<void>[] = [];
    for (let i = d * PER_DIR; i < Math.min(SHARE_FILES, (d + 1) * PER_DIR); i++) writes.push(writeFile(join(sub, `track ${i}.mp3`), `file ${i}`));
    await Promise.all(writes);
  }
  const sharer = headless(['--no-chat', '--data-dir', join(dir, 'sharer'), '--share', lib, '--napster-nick', 'sharer', ...pw]);
  children.push(sharer);
  await sharer.next((e) => e.type === 'ready', 600_000);
  await untilHashed(sharer, 600_000); // md5s cached: what is measured is the share list, not hashing
  const want = Math.min(5000, SHARE_FILES);
  const serverHas = async (): Promise<boolean> => {
    const e = await command(server, '/napster-users', (x) => x.type === 'notice' && /^sharer |nobody/.test(String(x.text)), 10_000);
    return new RegExp(` ${want} files$`).test(String(e.text));
  };
  const shareRound = async (): Promise<number> => {
    const t0 = performance.now();
    await command(sharer, login, online);
    while (!(await serverHas())) {
      if (performance.now() - t0 > 60_000) throw new Error('the share list never reached the server');
    }
    const ms = performance.now() - t0;
    await command(sharer, '/nlogout', (e) => e.type === 'notice' && /logged out/.test(String(e.text)));
    await new Promise((r) => setTimeout(r, 300)); // the server drops the user's files
    return ms;
  };
  const stats = await measure(shareRound, Number(process.env.NAPSTER_ROUNDS ?? 3));
  report({ name: 'napster.share', title: SHARE_TITLE, unit: 'ms', better: 'lower', ours: stats, target: belowTarget(2000, 'ms', stats) });
} finally {
  await nginx?.stop();
  for (const c of children) await c.stop();
  await rm(dir, { recursive: true, force: true });
}
