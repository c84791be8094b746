/**
 * Start-up of a real headless process (issue 9): spawn of the compiled
 * program (`node bin/peerdeck.js --headless --json ...`) to its `ready` line on
 * stdout, in a data dir it has started in before (a restart, as users and
 * scripts run it), beside `node -e 0` spawned the same way (spawn to exit: what
 * Node itself costs before any of our code runs). Three figures:
 *   startup.no_chat   `--no-chat`: no protocol (a share-and-search-only node)
 *   startup.chat      the defaults: chat (loopback, no discovery)
 *   startup.all       chat, P+2, Gnutella and a Napster server, all on loopback
 * Each is the median of BENCH_ROUNDS (at least 5) rounds, ours and the
 * reference alternating, after one unmeasured warm-up start of each (the
 * page cache). `STARTUP_BIN=/path/to/bin/peerdeck.js` measures another build
 * (an old one beside this, for a before/after).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { chatPortZero } from './lib-headless.js';
import { compare, DEFAULT_ROUNDS, report, type Round } from './lib-measure.js';

const BIN = process.env.STARTUP_BIN || fileURLToPath(new URL('../../bin/peerdeck.js', import.meta.url));
const ROUNDS = Math.max(5, DEFAULT_ROUNDS);
/** A start that takes longer than this is a failure, not a figure. */
const WAIT_MS = 30_000;
const LOOPBACK_CHAT = ['--chat-port', '0', '--chat-host', '127.0.0.1', '--no-discovery'];
const ALL = [
  ...LOOPBACK_CHAT,
  ...['--pplus2-port', '0', '--pplus2-host', '127.0.0.1'],
  ...['--gnutella', '--gnutella-port', '0', '--gnutella-host', '127.0.0.1'],
  ...['--napster-server', '--napster-port', '0', '--napster-host', '127.0.0.1'],
];

/** Milliseconds from spawn until `done(stdout so far)` (then SIGTERM), or until the exit when `done` is absent. */
function timeSpawn(args: string[], done?: (out: string) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let at: number | undefined;
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS);
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      if (at !== undefined || !done) return;
      out += c.toString();
      if (done(out)) {
        at = performance.now();
        child.kill('SIGTERM');
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!done) at = performance.now();
      if (at === undefined || (!done && code !== 0)) reject(new Error(`${args.join(' ')}: exited (${code}) before ready: ${err.slice(-500)}`));
      else resolve(at - t0);
    });
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-startup-'));
  try {
    const ready = (out: string): boolean => out.includes('"type":"ready"');
    const reference: Round = () => timeSpawn(['-e', '0']);
    const cases = [
      { name: 'startup.no_chat', title: 'start-up, spawn to ready: --no-chat (no protocol)', args: ['--no-chat'] },
      { name: 'startup.chat', title: 'start-up, spawn to ready: defaults (chat)', args: LOOPBACK_CHAT },
      { name: 'startup.all', title: 'start-up, spawn to ready: chat, P+2, Gnutella, Napster server', args: ALL },
    ];
    for (const c of cases) {
      const data = join(dir, c.name);
      const ours: Round = () => timeSpawn([BIN, '--headless', '--json', '--log-level', 'warn', '--data-dir', data, ...chatPortZero(c.args)], ready);
      await ours(); // warm-up: the data dir's first start, the page cache
      await reference();
      const r = await compare(ours, reference, ROUNDS);
      report({ name: c.name, title: c.title, unit: 'ms', better: 'lower', ours: r.ours, reference: { label: 'node -e 0, spawn to exit', stats: r.reference! } });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
