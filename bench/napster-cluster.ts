/**
 * Napster cluster bench (issue 15 "Speed"): three real headless peerdeck
 * servers joined through a real nats-server on loopback hold the index
 * between them; beside them, in the same run, one server holds the same
 * files alone. Clients on server A of the cluster and clients on the lone
 * server search the same queries in alternating rounds.
 *
 * Figures: searches/s and p99 (200 sent to 202 received) as a client sees
 * them, cluster next to the lone server; the ratio is the cost of crossing
 * servers (every search is scattered to the two other servers over NATS and
 * merged before its 202). Files: NAPSTER_CLUSTER_FILES (default the issue's
 * 1,000,000; each side loads in under a minute on the shared 2-core machine).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame } from '../protocols/napster/codec.js';
import { headless, type Headless } from './lib-headless.js';
import { fmt, report, skip, stats } from './lib-measure.js';

const TOTAL = Number(process.env.NAPSTER_CLUSTER_FILES ?? 1_000_000);
const SHARERS = 300;
const PER_SHARER = Math.ceil(TOTAL / SHARERS);
const SEARCHERS = Number(process.env.NAPSTER_CLUSTER_SEARCHERS ?? 16);
const SEARCH_SECONDS = 4;
const ROUNDS = 3;

let seed = 4242;
function rand(n: number): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
}
const SYL = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'xi', 'za', 'be', 'do', 'fu', 'gi', 'ho', 'ju', 'pe', 'qu', 'se', 'wa', 'yo'];
const VOCAB = Array.from({ length: 20_000 }, (_, i) => SYL[i % 20]! + SYL[Math.floor(i / 20) % 20]! + SYL[Math.floor(i / 400) % 20]! + (i >= 8000 ? SYL[i % 7]! : ''));
function word(): string {
  return VOCAB[Math.floor(VOCAB.length * (rand(1_000_000) / 1_000_000) ** 2.5)]!;
}

/** A bench client: whole frames, counting 201s per answer. */
class Client {
  readonly socket: Socket;
  #buf = Buffer.alloc(0);
  #waiters: Array<{ type: number; resolve(results: number): void }> = [];
  #results = 0;
  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('error', () => undefined);
    this.socket.on('data', (c: Buffer) => this.#scan(c));
  }
  #scan(c: Buffer): void {
    const data = this.#buf.length ? Buffer.concat([this.#buf, c]) : c;
    let p = 0;
    while (data.length - p >= 4) {
      const len = data.readUInt16LE(p);
      if (data.length - p - 4 < len) break;
      const type = data.readUInt16LE(p + 2);
      if (type === 201) this.#results++;
      const w = this.#waiters[0];
      if (w && w.type === type) {
        this.#waiters.shift();
        w.resolve(type === 214 ? Number(data.subarray(p + 4, p + 4 + len).toString('latin1').split(' ')[1]) : this.#results);
        this.#results = 0;
      }
      p += 4 + len;
    }
    this.#buf = p < data.length ? Buffer.from(data.subarray(p)) : Buffer.alloc(0);
  }
  send(type: number, text: string): void {
    this.socket.write(encodeFrame(type, text));
  }
  /** Resolves at the next frame of `type`: the 201 count before it, or for 214 its file count. */
  next(type: number): Promise<number> {
    return new Promise((resolve) => this.#waiters.push({ type, resolve }));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function startNats(dir: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`nats-server did not start: ${out}`)), 15_000);
    const on = (c: Buffer): void => {
      out += c.toString();
      if (out.includes('Server is ready')) (clearTimeout(t), resolve());
    };
    proc.stdout!.on('data', on);
    proc.stderr!.on('data', on);
  });
  return { url: `nats://127.0.0.1:${port}`, proc };
}

async function login(port: number, nick: string): Promise<Client> {
  const c = new Client(port);
  const done = c.next(214);
  c.send(2, `${nick} pw 6699 "bench" 7`);
  await done;
  return c;
}

async function filesSeen(c: Client): Promise<number> {
  const n = c.next(214);
  c.send(214, '');
  return n;
}

interface RoundResult {
  rate: number;
  p50: number;
  p99: number;
  hits: number;
}

/** SEARCHERS clients search back to back for SEARCH_SECONDS. */
async function round(searchers: Client[], queries: string[]): Promise<RoundResult> {
  const lat: number[] = [];
  let hits = 0;
  const t0 = performance.now();
  const end = t0 + SEARCH_SECONDS * 1000;
  await Promise.all(
    searchers.map(async (c, i) => {
      let q = i * 7919;
      while (performance.now() < end) {
        const start = performance.now();
        const done = c.next(202);
        c.send(200, queries[q++ % queries.length]!);
        hits += await done;
        lat.push(performance.now() - start);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { rate: lat.length / secs, p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.floor(lat.length * 0.99)]!, hits: hits / lat.length };
}

async function main(): Promise<void> {
  const probe = spawnSync('nats-server', ['--version']);
  if (probe.error || probe.status !== 0) {
    skip('napster.cluster_search', 'napster cluster: searches/s, 3 servers over NATS', 'nats-server is not installed');
    return;
  }
  process.stdout.write(`napster.cluster.loadavg: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores\n`);
  process.stdout.write(`napster.cluster.files: ${fmt(SHARERS * PER_SHARER)} files from ${SHARERS} users (100 per cluster server), ${SEARCHERS} searchers\n`);
  const dir = mkdtempSync(join(tmpdir(), 'napster-cluster-bench-'));
  const nats = await startNats(join(dir, 'nats'));
  const common = ['--daemon', '--no-chat', '--napster-server', '--napster-port', '0', '--napster-host', '127.0.0.1', '--napster-max-clones', '0',
    '--napster-max-connections', '2000', '--napster-no-auto-register', '--napster-flood', '0'];
  const nodes: Headless[] = [];
  try {
    const start = async (name: string, cluster: boolean): Promise<number> => {
      const h = headless([...common, '--data-dir', join(dir, name), '--napster-server-name', name, ...(cluster ? ['--napster-cluster', nats.url, '--napster-cluster-name', 'bench'] : [])]);
      nodes.push(h);
      const ready = await h.next((e) => e.type === 'ready');
      if (cluster) await h.next((e) => e.type === 'notice' && String(e.text).startsWith('cluster: joined'));
      return (ready.ports as Record<string, number>).napster!;
    };
    const clusterPorts = await Promise.all(['nodeA', 'nodeB', 'nodeC'].map((n) => start(n, true)));
    const lonePort = await start('alone', false);

    const queries: string[] = [];
    const sharers: Client[] = [];
    const t0 = performance.now();
    for (let u = 0; u < SHARERS; u++) {
      const frames: Buffer[] = [];
      for (let i = 0; i < PER_SHARER; i++) {
        const a = word();
        const b = word();
        const path = `C:\\Music\\${VOCAB[rand(50)]!}\\${a} ${word()} - ${b} ${word()}.mp3`;
        frames.push(encodeFrame(100, `"${path}" 00000000000000000000000000000000 ${3_000_000 + i} 128 44100 ${180 + (i % 120)}`));
        if (rand(Math.max(1, Math.floor(TOTAL / 2000))) === 0) queries.push(`FILENAME CONTAINS "${a} ${b}" MAX_RESULTS 100`);
      }
      const bytes = Buffer.concat(frames);
      const [c1, c2] = await Promise.all([login(clusterPorts[u % 3]!, `user${u}`), login(lonePort, `user${u}`)]);
      c1.socket.write(bytes);
      c2.socket.write(bytes);
      sharers.push(c1, c2);
    }
    const [searchersA, searchersLone] = await Promise.all([
      Promise.all(Array.from({ length: SEARCHERS }, (_, i) => login(clusterPorts[0]!, `seeker${i}`))),
      Promise.all(Array.from({ length: SEARCHERS }, (_, i) => login(lonePort, `seeker${i}`))),
    ]);
    const want = SHARERS * PER_SHARER;
    while ((await filesSeen(searchersA[0]!)) < want || (await filesSeen(searchersLone[0]!)) < want) await new Promise((r) => setTimeout(r, 250));
    process.stdout.write(`napster.cluster.load: ${fmt(want)} files into each side in ${fmt((performance.now() - t0) / 1000)} s\n`);

    // The same answers on both sides: result counts of the first queries, one at a time.
    let same = 0;
    const checked = Math.min(100, queries.length);
    for (let i = 0; i < checked; i++) {
      const answers = Promise.all([searchersA[0]!.next(202), searchersLone[0]!.next(202)]);
      searchersA[0]!.send(200, queries[i]!);
      searchersLone[0]!.send(200, queries[i]!);
      const [x, y] = await answers;
      if (x === y) same++;
    }
    process.stdout.write(`napster.cluster.same_results: ${same} of ${checked} queries give as many results on the cluster as on one server\n`);
    const cluster: RoundResult[] = [];
    const lone: RoundResult[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      cluster.push(await round(searchersA, queries));
      lone.push(await round(searchersLone, queries));
    }
    process.stdout.write(`napster.cluster.results_per_search: cluster ${fmt(stats(cluster.map((x) => x.hits)).median)}, one server ${fmt(stats(lone.map((x) => x.hits)).median)}\n`);
    report({
      name: 'napster.cluster_search',
      title: `napster cluster: searches/s seen on server A, 3 servers x ${fmt(want / 3)} files over NATS, ${SEARCHERS} clients back to back`,
      unit: 'searches/s',
      better: 'higher',
      ours: stats(cluster.map((x) => x.rate)),
      reference: { label: `one server, ${fmt(want)} files`, stats: stats(lone.map((x) => x.rate)) },
    });
    report({
      name: 'napster.cluster_search_p99',
      title: 'napster cluster: search p99, 200 sent to 202 received',
      unit: 'ms',
      better: 'lower',
      ours: stats(cluster.map((x) => x.p99)),
      reference: { label: 'one server', stats: stats(lone.map((x) => x.p99)) },
    });
    process.stdout.write(`napster.cluster_search_p50: cluster ${fmt(stats(cluster.map((x) => x.p50)).median)} ms, one server ${fmt(stats(lone.map((x) => x.p50)).median)} ms\n`);
    for (const c of [...sharers, ...searchersA, ...searchersLone]) c.socket.destroy();
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    nats.proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
