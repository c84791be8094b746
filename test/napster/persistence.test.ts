/**
 * Accounts survive a restart, and a SIGKILL in the middle of an account write
 * leaves the old or the new file, never a torn one (issue 12 "Restart").
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNapsterPlugin } from '../../protocols/napster/index.js';
import { DEFAULT_SERVER_OPTIONS } from '../../protocols/napster/options.js';
import { PeerdeckNode } from '../../src/node.js';
import { ROOT } from '../cli/cli-process.js';
import { NapClient } from './nap-client.js';
import { TEST_HASH_COST } from './server-fixture.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'napster-persist-'));
  dirs.push(d);
  return d;
}

async function serverNode(dataDir: string): Promise<{ node: PeerdeckNode; port: number }> {
  const node = new PeerdeckNode({
    dataDir,
    nick: 'srv',
    plugins: [createNapsterPlugin({ server: { ...DEFAULT_SERVER_OPTIONS, port: 0, host: '127.0.0.1', name: 'localhost', hashCost: TEST_HASH_COST } })],
  });
  await node.start();
  return { node, port: node.snapshot().ports.napster! };
}

describe('napster accounts on disk', () => {
  it('keeps registered nicks and their passwords across a restart', async () => {
    const dir = await tempDir();
    let s = await serverNode(dir);
    const alice = await NapClient.login(s.port, 'alice', { pass: 'secret' });
    alice.close();
    await s.node.stop();
    const text = await readFile(join(dir, 'napster-accounts.json'), 'utf8');
    expect(text).not.toContain('secret');
    expect(text).toMatch(/"salt": "[0-9a-f]{32}"/);

    s = await serverNode(dir);
    const check = await NapClient.open(s.port);
    check.send(7, 'alice');
    expect((await check.waitType(9)).type).toBe(9);
    const wrong = await NapClient.open(s.port);
    wrong.send(2, 'alice nope 0 "x" 1');
    expect((await wrong.waitType(0)).text).toBe('Invalid Password');
    await wrong.waitClosed();
    const right = await NapClient.login(s.port, 'alice', { pass: 'secret' });
    expect(right.closed).toBe(false);
    for (const c of [check, right]) c.close();
    await s.node.stop();
  });

  it('leaves the old or the new file when killed in the middle of writes', async () => {
    const dir = await tempDir();
    const file = join(dir, 'accounts.json');
    const writer = join(ROOT, 'dist', 'test', 'napster', 'account-writer.js');
    let last = 0;
    for (let round = 0; round < 4; round++) {
      const child = spawn(process.execPath, [writer, file], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const exited = new Promise((r) => child.once('exit', r));
      await vi.waitFor(() => expect(existsSync(file) || err).toBe(true), { timeout: 15_000 });
      await new Promise((r) => setTimeout(r, 50 + round * 37));
      child.kill('SIGKILL');
      await exited;
      expect(err).toBe('');
      const data = JSON.parse(await readFile(file, 'utf8')) as { accounts: Array<{ nick: string }> };
      expect(data.accounts.length).toBeGreaterThanOrEqual(last);
      expect(data.accounts.every((a, i) => a.nick === `user${i}`)).toBe(true);
      last = data.accounts.length;
    }
    expect(last).toBeGreaterThan(0);
    // A temporary file left by a kill mid-write is cleared at the next load.
    const { readdir, writeFile } = await import('node:fs/promises');
    const { AccountStore } = await import('../../protocols/napster/server/account-store.js');
    await writeFile(`${file}.99999.1.tmp`, '{"version":1,"acc');
    const store = new AccountStore(file);
    await store.load();
    expect(store.size).toBe(last);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
