/**
 * A real nats-server with JetStream for the cluster tests (issue 15): on a
 * free loopback port, storage in a temp dir, stopped by its PID. Tests skip
 * with a printed reason when the nats-server binary is missing (.ci/run
 * installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why the cluster tests cannot run here, or undefined when nats-server is present. */
export function natsMissing(): string | undefined {
  const r = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? 'nats-server is not installed (apt-get install -y nats-server); skipping the Napster cluster tests' : undefined;
}

/** A free TCP port on 127.0.0.1 (closed again before it is handed out). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface NatsFixture {
  port: number;
  url: string;
  storeDir: string;
  proc: ChildProcess;
  /** Stops this process (SIGTERM, then SIGKILL) and waits for it. */
  stop(): Promise<void>;
  /** Starts a fresh process on the same port and store (a NATS restart). */
  restart(): Promise<NatsFixture>;
  /** Stops it and removes the store. */
  cleanup(): Promise<void>;
}

async function launch(port: number, storeDir: string): Promise<NatsFixture> {
  const proc = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start: ${out.slice(-500)}`)), 15_000);
    const onData = (c: Buffer): void => {
      out += c.toString();
      if (out.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited (${code}): ${out.slice(-500)}`));
    });
  });
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(t);
  };
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    storeDir,
    proc,
    stop,
    restart: async () => {
      await stop();
      return launch(port, storeDir);
    },
    cleanup: async () => {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

/** Starts nats-server -a 127.0.0.1 -p PORT -js -sd TMPDIR. */
export async function startNats(): Promise<NatsFixture> {
  const storeDir = await mkdtemp(join(tmpdir(), 'peerdeck-nats-'));
  return launch(await freePort(), storeDir);
}
