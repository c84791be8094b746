/**
 * `share.ready` and `share.hashed` as a script sees them from the real
 * process (`--headless --share DIR`), in JSON and as text lines, on a first
 * start and a start with a warm hash cache.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCli, type CliNode } from './cli-process.js';
import { formatSize } from '../../src/words.js';

const nodes: CliNode[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.cleanup()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A shared folder of `n` small files and its total size. */
async function shareDir(n: number): Promise<{ root: string; bytes: number }> {
  const root = await mkdtemp(join(tmpdir(), 'peerdeck-hashed-'));
  dirs.push(root);
  await mkdir(join(root, 'sub'));
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const text = `file number ${i}`;
    await writeFile(join(root, i % 2 ? 'sub' : '', `f${i}.txt`), text);
    bytes += text.length;
  }
  return { root, bytes };
}

describe('share.hashed from a headless process', () => {
  it('prints it in JSON after share.ready, then with hashed: 0 on a restart with the same data dir', { timeout: 60_000 }, async () => {
    const { root, bytes } = await shareDir(30);
    const data = await mkdtemp(join(tmpdir(), 'peerdeck-hashed-data-'));
    dirs.push(data);
    for (const want of [30, 0]) {
      const n = await startCli(['--no-chat', '--share', root], { dataDir: data });
      nodes.push(n);
      const hashed = await n.waitEvent((e) => e.type === 'share.hashed', 30_000);
      const types = n.events.map((e) => e.type).filter((t) => t.startsWith('share.'));
      expect(types).toEqual(['share.ready', 'share.hashed']);
      expect(hashed).toMatchObject({ files: 30, bytes, hashed: want, unhashed: 0 });
      expect(typeof hashed.ms).toBe('number');
      n.send('/quit');
      expect(await n.exited()).toBe(0);
    }
  });

  it('keeps the hash cache of a first scan when stopped the moment share.hashed is out (its write follows the event)', { timeout: 90_000 }, async () => {
    const { root } = await shareDir(3000);
    const data = await mkdtemp(join(tmpdir(), 'peerdeck-hashed-data-'));
    dirs.push(data);
    const first = await startCli(['--no-chat', '--share', root], { dataDir: data });
    nodes.push(first);
    // SIGTERM from the stdout listener that sees the event: before the cache can have been written.
    let seen = '';
    first.proc.stdout.on('data', (chunk: string) => {
      seen += chunk;
      if (seen.includes('"share.hashed"') && first.proc.exitCode === null && first.proc.signalCode === null) first.proc.kill('SIGTERM');
    });
    await first.exited();
    expect(first.events.find((e) => e.type === 'share.hashed')).toMatchObject({ files: 3000, hashed: 3000 });
    const again = await startCli(['--no-chat', '--share', root], { dataDir: data });
    nodes.push(again);
    expect(await again.waitEvent((e) => e.type === 'share.hashed', 30_000)).toMatchObject({ files: 3000, hashed: 0, unhashed: 0 });
    again.send('/quit');
    expect(await again.exited()).toBe(0);
  });

  it('prints a short line without --json', { timeout: 60_000 }, async () => {
    const { root, bytes } = await shareDir(12);
    const n = await startCli(['--no-chat', '--share', root], { json: false });
    nodes.push(n);
    await vi.waitFor(() => expect(n.lines.some((l) => l.startsWith('hashed '))).toBe(true), { timeout: 30_000, interval: 20 });
    const ours = n.lines.filter((l) => l.startsWith('sharing ') || l.startsWith('hashed '));
    expect(ours).toHaveLength(2);
    expect(ours[0]).toBe(`sharing 12 files (${formatSize(bytes)})`);
    expect(ours[1]).toMatch(/^hashed all 12 files \(12 new\) in (\d+ ms|\d+(\.\d)? s)$/);
    n.send('/quit');
    expect(await n.exited()).toBe(0);
  });

  it('prints no hashing line without a shared folder (JSON still has the event)', { timeout: 60_000 }, async () => {
    const text = await startCli(['--no-chat'], { json: false });
    const json = await startCli(['--no-chat']);
    nodes.push(text, json);
    await json.waitEvent((e) => e.type === 'share.hashed' && e.files === 0, 30_000);
    expect(json.events.find((e) => e.type === 'share.ready')).toMatchObject({ files: 0, bytes: 0, folders: 0 });
    // Said as nothing shared, and how to share (it said `sharing 0 files (0 B)`, as of an empty folder).
    await vi.waitFor(() => expect(text.lines).toContain('no folder is shared (start peerdeck with --share DIR)'), { timeout: 30_000, interval: 20 });
    expect(text.lines.filter((l) => l.startsWith('sharing '))).toEqual([]);
    // The event follows share.ready at once; /shares answers after it.
    text.send('/shares');
    await vi.waitFor(() => expect(text.lines.some((l) => /^no folder is shared/.test(l))).toBe(true), { timeout: 30_000, interval: 20 });
    expect(text.lines.filter((l) => l.startsWith('hashed '))).toEqual([]);
    for (const n of [text, json]) n.send('/quit');
    expect(await text.exited()).toBe(0);
  });
});
