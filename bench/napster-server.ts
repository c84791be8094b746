/**
 * Napster server bench (issue 12 "Speed"): a real headless peerdeck process
 * running `--napster-server` on loopback, 1,000 simulated clients on real
 * sockets, each sharing 1,000 files (1,000,000 in all).
 *
 * Figures (absolute targets from the issue; OpenNap 0.44's own figures on this
 * class of machine are quoted in specs/napster.md §11, it is not installed here):
 * - napster.share: shares indexed per second, all clients sharing at once
 *   (>= 200,000/s; OpenNap 0.44: ~116,000/s);
 * - napster.index_bytes: heap + array buffers per indexed file, file records and
 *   index together, measured in this process after a GC through the server's own
 *   index code (<= 360 B; OpenNap 0.44: ~360 B);
 * - napster.search / .p99: searches answered per second and the 99th-percentile
 *   time from sending a 200 to receiving its 202, as each client sees it, with
 *   1,000 clients each searching every 200 ms (5,000/s offered; >= 5,000/s, p99 < 10 ms);
 * - napster.idle_user: resident memory per logged-in user with no shares (<= 16 KiB).
 * Logins skip auto-registration (scrypt hashing is measured by nobody's share rate).
 */
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame } from '../protocols/napster/codec.js';
import { atoi, splitFields } from '../protocols/napster/messages.js';
import { FileIndex } from '../protocols/napster/server/file-index.js';
import { headless } from './lib-headless.js';
import { fmt, report, stats, type Stats } from './lib-measure.js';

const USERS = Number(process.env.NAPSTER_BENCH_USERS ?? 1000);
const FILES = Number(process.env.NAPSTER_BENCH_FILES ?? 1000);
const ROUNDS = 3;
const SEARCH_SECONDS = 4;
/** Each client's pause between searches (NAPSTER_BENCH_SEARCH_MS): 200 ms x 1,000 clients = 5,000/s offered. */
const SEARCH_EVERY_MS = Number(process.env.NAPSTER_BENCH_SEARCH_MS ?? 200);

// A vocabulary of made-up words and a deterministic generator of file names.
let seed = 12345;
function rand(n: number): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
}
const SYL = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'xi', 'za', 'be', 'do', 'fu', 'gi', 'ho', 'ju', 'pe', 'qu', 'se', 'wa', 'yo'];
const VOCAB = Array.from({ length: 20_000 }, (_, i) => SYL[i % 20]! + SYL[Math.floor(i / 20) % 20]! + SYL[Math.floor(i / 400) % 20]! + (i >= 8000 ? SYL[i % 7]! : ''));
const GENRES = VOCAB.slice(0, 50);
function word(): string {
  // Zipf-like: small indexes are common.
  return VOCAB[Math.floor(VOCAB.length * Math.random() ** 2.5)]!;
}
function fileName(): { path: string; words: [string, string] } {
  const a = word();
  const b = word();
  const path = `C:\\Music\\${GENRES[rand(50)]!}\\${a} ${word()} - ${b} ${word()} ${word()}.mp3`;
  return { path, words: [a, b] };
}

function shareFrame(path: string, i: number): string {
  return `"${path}" 00000000000000000000000000000000 ${3_000_000 + i} 128 44100 ${180 + (i % 120)}`;
}

/** A bench client: counts frames by scanning headers, never building strings. */
class Client {
  readonly socket: Socket;
  #buf = Buffer.alloc(0);
  #skip = 0;
  onFrame: (type: number) => void = () => undefined;
  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('error', () => undefined);
    this.socket.on('data', (c: Buffer) => this.#scan(c));
  }
  #scan(c: Buffer): void {
    let off = 0;
    if (this.#skip > 0) {
      const n = Math.min(this.#skip, c.length);
      this.#skip -= n;
      off = n;
      if (this.#skip > 0) return;
    }
    let data = this.#buf.length ? Buffer.concat([this.#buf, c.subarray(off)]) : c.subarray(off);
    let p = 0;
    while (data.length - p >= 4) {
      const len = data.readUInt16LE(p);
      const type = data.readUInt16LE(p + 2);
      this.onFrame(type);
      p += 4;
      if (data.length - p < len) {
        this.#skip = len - (data.length - p);
        p = data.length;
        break;
      }
      p += len;
    }
    this.#buf = p < data.length ? Buffer.from(data.subarray(p)) : Buffer.alloc(0);
    data = Buffer.alloc(0);
  }
  send(type: number, text: string): void {
    this.socket.write(encodeFrame(type, text));
  }
  waitFor(type: number): Promise<void> {
    return new Promise((resolve) => {
      const prev = this.onFrame;
      this.onFrame = (t) => {
        prev(t);
        if (t === type) {
          this.onFrame = prev;
          resolve();
        }
      };
    });
  }
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Index memory per file through the server's own parse-and-index path, in this
 * process; also how fast that path runs on one core without sockets.
 */
function indexBytesPerFile(names: string[][]): { bytes: number; rate: number } {
  gc();
  const m0 = process.memoryUsage();
  const t0 = performance.now();
  const index = new FileIndex();
  const perUser: Array<Map<string, number>> = [];
  for (let u = 0; u < names.length; u++) {
    const files = new Map<string, number>();
    perUser.push(files);
    names[u]!.forEach((path, i) => {
      const f = splitFields(shareFrame(path, i))!;
      const p = Buffer.from(f[0]!, 'latin1').toString('latin1'); // as handlers-share.ts detaches it
      files.set(p, index.add(u, { path: p, size: atoi(f[2]!), bitrate: atoi(f[3]!), freq: atoi(f[4]!), seconds: atoi(f[5]!), type: 'mp3' }));
    });
  }
  const rate = index.size / ((performance.now() - t0) / 1000);
  gc();
  const m1 = process.memoryUsage();
  const used = m1.heapUsed + m1.arrayBuffers - (m0.heapUsed + m0.arrayBuffers);
  if (index.size !== names.length * FILES || perUser.length !== names.length) throw new Error('index incomplete');
  return { bytes: used / index.size, rate };
}

async function main(): Promise<void> {
  process.stdout.write(`napster.loadavg: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores (figures scale with what else runs)\n`);
  const names: string[][] = [];
  const queries: string[] = [];
  for (let u = 0; u < USERS; u++) {
    const list: string[] = [];
    for (let i = 0; i < FILES; i++) {
      const f = fileName();
      list.push(f.path);
      if (rand(200) === 0) queries.push(`FILENAME CONTAINS "${f.words[0]} ${f.words[1]}" MAX_RESULTS 100`);
    }
    names.push(list);
  }
  // Memory first, before sockets add their own allocations to this heap.
  const runs = [indexBytesPerFile(names), indexBytesPerFile(names), indexBytesPerFile(names)];
  const perFile = stats(runs.map((r) => r.bytes)).median;
  report({
    name: 'napster.index_add',
    title: 'napster server: share parse + index on one core, no sockets',
    unit: 'shares/s',
    better: 'higher',
    ours: stats(runs.map((r) => r.rate)),
  });
  report({
    name: 'napster.index_bytes',
    title: `napster server: index memory per file (${fmt(USERS * FILES)} files)`,
    unit: 'B/file',
    better: 'lower',
    ours: stats(runs.map((r) => r.bytes)),
    target: { text: '<= 360 B/file', met: perFile <= 360 },
  });

  const dataDir = mkdtempSync(join(tmpdir(), 'napster-bench-'));
  // NAPSTER_BENCH_PORT/NAPSTER_BENCH_PID: measure a server started by hand (e.g. under --cpu-prof).
  const external = process.env.NAPSTER_BENCH_PORT ? { port: Number(process.env.NAPSTER_BENCH_PORT), pid: Number(process.env.NAPSTER_BENCH_PID) } : undefined;
  const srv = external ? undefined : headless([
    '--daemon', '--no-chat', '--data-dir', dataDir, '--napster-server', '--napster-port', '0', '--napster-host', '127.0.0.1',
    '--napster-max-clones', '0', '--napster-max-connections', String(USERS + 10), '--napster-no-auto-register',
  ]);
  try {
    const ready = srv ? await srv.next((e) => e.type === 'ready') : undefined;
    const port = external?.port ?? (ready!.ports as Record<string, number>).napster!;
    const pid = external?.pid ?? srv!.proc.pid!;
    await new Promise((r) => setTimeout(r, 500));
    const rss0 = rssKiB(pid);
    const clients: Client[] = [];
    for (let u = 0; u < USERS; u += 100) {
      const batch = Array.from({ length: Math.min(100, USERS - u) }, (_, k) => {
        const c = new Client(port);
        const done = c.waitFor(214);
        c.send(2, `user${u + k} pw 6699 "bench" 7`);
        clients.push(c);
        return done;
      });
      await Promise.all(batch);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const idle = ((rssKiB(pid) - rss0) * 1024) / USERS;
    report({
      name: 'napster.idle_user',
      title: 'napster server: resident memory per idle logged-in user',
      unit: 'B/user',
      better: 'lower',
      ours: stats([idle, idle, idle]),
      target: { text: '<= 16,384 B/user', met: idle <= 16_384 },
    });

    const control = clients[0]!;
    const filesNow = (): Promise<number> =>
      new Promise((resolve) => {
        const sock = control.socket;
        const onData = (c: Buffer): void => {
          // The 214 answer is the only frame the control client gets here.
          const text = c.subarray(4).toString('latin1');
          if (c.readUInt16LE(2) === 214) {
            sock.off('data', onData);
            resolve(Number(text.split(' ')[1]));
          }
        };
        sock.on('data', onData);
        control.send(214, '');
      });
    const frames = names.map((list) => Buffer.concat(list.map((p, i) => encodeFrame(100, shareFrame(p, i)))));
    const rates: number[] = [];
    let rssShared = 0;
    for (let r = 0; r < ROUNDS; r++) {
      for (const c of clients) c.send(110, '');
      while ((await filesNow()) !== 0) await new Promise((res) => setTimeout(res, 20));
      const t0 = performance.now();
      clients.forEach((c, u) => c.socket.write(frames[u]!));
      while ((await filesNow()) < USERS * FILES) await new Promise((res) => setTimeout(res, 10));
      rates.push((USERS * FILES) / ((performance.now() - t0) / 1000));
      rssShared = rssKiB(pid);
    }
    const share = stats(rates);
    report({
      name: 'napster.share',
      title: `napster server: shares indexed/s, ${fmt(USERS)} clients x ${fmt(FILES)} files`,
      unit: 'shares/s',
      better: 'higher',
      ours: share,
      target: { text: '>= 200,000 shares/s', met: share.median >= 200_000 },
    });
    process.stdout.write(`napster.rss_per_file: ${fmt(((rssShared - rss0) * 1024) / (USERS * FILES))} B (resident, whole process, after sharing)\n`);

    const rates2: number[] = [];
    const p99s: number[] = [];
    const p50s: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const lat: number[] = [];
      let stop = false;
      const t0 = performance.now();
      await Promise.all(
        clients.map(async (c, i) => {
          await new Promise((res) => setTimeout(res, (i * SEARCH_EVERY_MS) / USERS));
          while (!stop) {
            const start = performance.now();
            const done = c.waitFor(202);
            c.send(200, queries[rand(queries.length)]!);
            await done;
            const end = performance.now();
            lat.push(end - start);
            const wait = SEARCH_EVERY_MS - (end - start);
            if (wait > 0) await new Promise((res) => setTimeout(res, wait));
            if (end - t0 > SEARCH_SECONDS * 1000) stop = true;
          }
        }),
      );
      const secs = (performance.now() - t0) / 1000;
      lat.sort((a, b) => a - b);
      rates2.push(lat.length / secs);
      p50s.push(lat[Math.floor(lat.length * 0.5)]!);
      p99s.push(lat[Math.floor(lat.length * 0.99)]!);
    }
    const sr: Stats = stats(rates2);
    report({
      name: 'napster.search',
      title: `napster server: searches/s on ${fmt(USERS * FILES)} files (each client every ${SEARCH_EVERY_MS} ms)`,
      unit: 'searches/s',
      better: 'higher',
      ours: sr,
      target: { text: `>= 5,000 searches/s`, met: sr.median >= 5_000 },
    });
    const p99 = stats(p99s);
    report({
      name: 'napster.search_p99',
      title: 'napster server: search p99, 200 sent to 202 received',
      unit: 'ms',
      better: 'lower',
      ours: p99,
      target: { text: '< 10 ms', met: p99.median < 10 },
    });
    process.stdout.write(`napster.search_p50: ${fmt(stats(p50s).median)} ms\n`);
    for (const c of clients) c.socket.destroy();
  } finally {
    await srv?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
