/**
 * Headless stdout under a flood (issue 8, "Headless stdout has no backpressure"): a real
 * headless process gets 1,000,000 chat lines from a protocol neighbour while its stdout
 * is piped and read slowly (16 KiB every 100 ms). Figure: the process's peak RSS
 * (VmHWM), target < 200 MB; also how many lines were shown and how many dropped.
 * `FLOOD_LINES` changes the count.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './lib-headless.js';
import { belowTarget, measure, report, skip } from './lib-measure.js';

const TOTAL = Number(process.env.FLOOD_LINES ?? 1_000_000);
const BATCH = Number(process.env.FLOOD_BATCH ?? 10_000);

function peakRssMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function write(s: Socket, data: string): Promise<void> {
  return new Promise((resolve, reject) => s.write(data, (err) => (err ? reject(err) : resolve())));
}

async function round(): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'peerdeck-flood-'));
  const proc = spawn(process.execPath, [BIN, '--headless', '--json', '--no-discovery', '--chat-port', '0', '--chat-host', '127.0.0.1', '--data-dir', dataDir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // Wait for `ready` (the first line), then read slowly.
  let head = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (c: Buffer): void => {
      head += c.toString();
      const nl = head.indexOf('\n');
      if (nl === -1) return;
      proc.stdout.off('data', onData);
      proc.stdout.pause();
      resolve((JSON.parse(head.slice(0, nl)) as { ports: { chat: number } }).ports.chat);
    };
    proc.stdout.on('data', onData);
    proc.once('exit', () => reject(new Error('peerdeck exited before ready')));
  });
  let shown = 0;
  let notice = '';
  let tail = '';
  const slow = setInterval(() => {
    const c = proc.stdout.read(16_384) as Buffer | null;
    if (!c) return;
    const text = tail + c.toString();
    const parts = text.split('\n');
    tail = parts.pop() ?? '';
    for (const l of parts) {
      if (l.includes('"type":"chat.line"')) shown++;
      else if (l.includes('stdout is not keeping up')) notice = l;
    }
  }, 100);
  const s = connect({ host: '127.0.0.1', port });
  s.on('error', () => undefined);
  await new Promise<void>((r) => s.once('connect', () => r()));
  await write(s, 'HELLO peerdeck-chat/1 node=flooder nick=flood listen=- mesh=default\n');
  const pad = 'z'.repeat(60);
  const t0 = performance.now();
  for (let i = 0; i < TOTAL; i += BATCH) {
    let batch = '';
    for (let j = i; j < Math.min(TOTAL, i + BATCH); j++) batch += `MSG ${j.toString(16).padStart(32, '0')} 16 flooder ${Date.now()} flood :line ${j} ${pad}\n`;
    await write(s, batch);
  }
  // Lines are handled in order: the PONG says every line before it went through.
  let got = '';
  const pong = new Promise<void>((r) => s.on('data', (c: Buffer) => ((got += c.toString()), got.includes('PONG done') && r())));
  await write(s, 'PING done\n');
  await pong;
  const secs = (performance.now() - t0) / 1000;
  const rss = peakRssMb(proc.pid!);
  clearInterval(slow);
  proc.stdout.resume();
  s.destroy();
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  await rm(dataDir, { recursive: true, force: true });
  if (rss === undefined) throw new Error('no /proc/<pid>/status');
  console.log(`headless.flood.round: ${TOTAL} lines in ${secs.toFixed(1)} s, peak RSS ${rss.toFixed(0)} MB, ${shown} lines read so far; ${notice ? 'notice: ' + (JSON.parse(notice) as { text: string }).text : 'no drop notice yet'}`);
  return rss;
}

if (peakRssMb(process.pid) === undefined) {
  skip('headless.flood_rss', 'headless: peak RSS, 1M-line flood, stdout read slowly', 'needs /proc (Linux)');
} else {
  const ours = await measure(round);
  report({
    name: 'headless.flood_rss',
    title: `headless: peak RSS, ${TOTAL.toLocaleString('en-US')}-line flood, stdout read slowly`,
    unit: 'MB',
    better: 'lower',
    ours,
    target: belowTarget(200, 'MB', ours),
  });
}
