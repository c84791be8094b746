/**
 * Importing the program's entry module starts nothing (src/main.ts `startedAsScript`): only
 * running it as Node's script, or a launcher calling its `run`, does. A hand experiment or a
 * tool that imports dist/src/main.js must not bring up a node (with no arguments, a chat node
 * with LAN discovery announcing itself on the network).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, ROOT } from './cli-process.js';

// Every probe is given a headless, chat-less, discovery-less command line: if the guard ever
// fails, what starts is a local-only node that stops when its stdin closes, never a LAN node.
const SAFE_ARGS = ['--headless', '--json', '--no-chat', '--no-discovery'];

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peerdeck-entry-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runProbe(source: string, dataDir: string) {
  const file = join(dir, `probe-${Math.random().toString(36).slice(2)}.mjs`);
  await writeFile(file, source);
  return spawnSync(process.execPath, [file, ...SAFE_ARGS, '--data-dir', dataDir], {
    cwd: ROOT,
    input: '',
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
}

describe('the entry module', () => {
  it('starts no node when it is imported', async () => {
    const dataDir = join(dir, 'imported');
    const r = await runProbe(`const m = await import(${JSON.stringify(pathToFileURL(MAIN).href)});\nif (typeof m.run !== 'function') process.exit(3);\n`, dataDir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(existsSync(dataDir)).toBe(false);
  }, 40_000);

  it('starts the node when a launcher calls its run', async () => {
    const dataDir = join(dir, 'launched');
    const r = await runProbe(`const { run } = await import(${JSON.stringify(pathToFileURL(MAIN).href)});\nrun(process.argv.slice(2));\n`, dataDir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/"type":"ready"/);
    expect(existsSync(dataDir)).toBe(true);
  }, 40_000);
});
