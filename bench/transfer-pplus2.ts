/**
 * End to end: two peerdeck processes in headless mode on 127.0.0.1; one shares
 * a big file over P+2, the other searches and `/get`s it through its transfer
 * engine (.part, SHA-1 on the fly, rename). Reports the download rate.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MB, round, writeBigFile } from './lib-bench-files.js';

const FILE_BYTES = Number(process.env.PPLUS2_FILE_MB ?? 1024) * MB;
const BIN = fileURLToPath(new URL('../../bin/peerdeck.js', import.meta.url));
const WAIT_MS = 120_000;

type Event = { type: string } & Record<string, unknown>;

/** A headless peerdeck child whose JSON events can be awaited. */
function peerdeck(args: string[]): { proc: ChildProcessWithoutNullStreams; next(pred: (e: Event) => boolean): Promise<Event> } {
  const proc = spawn(process.execPath, [BIN, '--headless', '--json', '--no-chat', '--pplus2-host', '127.0.0.1', '--log-level', 'warn', ...args]);
  const waiters: Array<{ pred: (e: Event) => boolean; resolve(e: Event): void }> = [];
  const seen: Event[] = [];
  createInterface({ input: proc.stdout }).on('line', (line) => {
    let e: Event;
    try {
      e = JSON.parse(line) as Event;
    } catch {
      return;
    }
    seen.push(e);
    for (const w of [...waiters]) if (w.pred(e)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(e));
  });
  proc.stderr.resume();
  return {
    proc,
    next: (pred) =>
      new Promise((resolve, reject) => {
        const old = seen.find(pred);
        if (old) return resolve(old);
        const timer = setTimeout(() => reject(new Error('peerdeck child: event not seen in time')), WAIT_MS);
        waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      }),
  };
}

async function stopChild(proc: ChildProcessWithoutNullStreams): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-pplus2-'));
const children: ChildProcessWithoutNullStreams[] = [];
try {
  await mkdir(join(dir, 'a', 'share'), { recursive: true });
  await writeBigFile(join(dir, 'a', 'share', 'big.bin'), FILE_BYTES);
  const a = peerdeck(['--daemon', '--data-dir', join(dir, 'a', 'data'), '--share', join(dir, 'a', 'share'), '--pplus2-port', '0']);
  children.push(a.proc);
  const ready = await a.next((e) => e.type === 'ready');
  const port = (ready.ports as Record<string, number> | undefined)?.pplus2;
  if (port === undefined) throw new Error('sharing node reported no pplus2 port');
  await new Promise((r) => setTimeout(r, Math.max(1000, FILE_BYTES / MB))); // let A finish hashing in the background
  const b = peerdeck(['--data-dir', join(dir, 'b', 'data'), '--downloads', join(dir, 'b', 'dl'), '--pplus2-port', '0', '--pplus2-peer', `127.0.0.1:${port}`]);
  children.push(b.proc);
  await b.next((e) => e.type === 'ready');
  b.proc.stdin.write('/search big\n');
  const hit = await b.next((e) => e.type === 'search.hit');
  const t0 = performance.now();
  b.proc.stdin.write(`/get ${String(hit.n)}\n`);
  const done = await b.next((e) => e.type === 'transfer.done' || e.type === 'transfer.failed');
  const secs = (performance.now() - t0) / 1000;
  if (done.type !== 'transfer.done') throw new Error(`download failed: ${String(done.reason)}`);
  const size = (await stat(String(done.path))).size;
  if (size !== FILE_BYTES) throw new Error(`downloaded ${size} bytes, expected ${FILE_BYTES}`);
  console.log(`transfer.pplus2_download_mb_s: ${round(FILE_BYTES / MB / secs)}`);
  b.proc.stdin.write('/quit\n');
} finally {
  for (const c of children) await stopChild(c);
  await rm(dir, { recursive: true, force: true });
}
