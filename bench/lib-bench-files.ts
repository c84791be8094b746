/** Shared helpers for the share/transfer benches: big test files, tools on PATH, child processes. */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';

/** Writes `bytes` of incompressible data (a 16 MiB random block repeated). */
export async function writeBigFile(path: string, bytes: number): Promise<void> {
  const block = randomBytes(16 * 1024 * 1024);
  const fh = await open(path, 'w');
  try {
    for (let pos = 0; pos < bytes; pos += block.length) {
      await fh.write(block, 0, Math.min(block.length, bytes - pos), pos);
    }
  } finally {
    await fh.close();
  }
}

/** Reads a file once so every contender is served from the page cache. */
export async function warm(path: string): Promise<void> {
  const fh = await open(path, 'r');
  const buf = Buffer.allocUnsafe(8 * 1024 * 1024);
  try {
    while ((await fh.read(buf, 0, buf.length)).bytesRead > 0);
  } finally {
    await fh.close();
  }
}

/** True when `cmd` runs (e.g. `nginx -v`). */
export function hasTool(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined;
}

/** Runs a command to completion; resolves with stdout, rejects on a non-zero exit. */
export function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err.trim()}`))));
  });
}

export const MB = 1024 * 1024;
export const round = (n: number): number => Math.round(n * 10) / 10;
