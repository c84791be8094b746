/**
 * A node killed without a PART (kill -9, a crash) and started again from the same data dir
 * keeps its nick (README "Nicks"): the new run sends the PART the old one never did.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chatPort, clisStoppedAfterEach } from './cli-process.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
const cli = clisStoppedAfterEach();
const base = ['--chat-port', '0', '--chat-host', '127.0.0.1', '--no-discovery'];

describe('a chat node restarted after a crash', () => {
  it('keeps its nick: the mesh is told its last run left, and does not show it as bob~xxxx', async () => {
    const alice = await cli([...base, '--nick', 'alice']);
    await alice.waitEvent((e) => e.type === 'ready');
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-restart-'));
    dirs.push(dir);
    const bobArgs = [...base, '--nick', 'bob', '--connect', `127.0.0.1:${chatPort(alice)}`];
    const bob = await cli(bobArgs, { dataDir: dir });
    await bob.waitEvent((e) => e.type === 'peer.up');
    bob.send('before the crash');
    const first = await alice.waitEvent((e) => e.type === 'chat.line' && e.text === 'before the crash');
    expect(first.nick).toBe('bob');
    bob.proc.kill('SIGKILL');
    await bob.exited();

    const again = await cli(bobArgs, { dataDir: dir });
    await again.waitEvent((e) => e.type === 'peer.up');
    again.send('back again');
    const back = await alice.waitEvent((e) => e.type === 'chat.line' && e.text === 'back again');
    expect(back.nick).toBe('bob');
    expect(back.origin).not.toBe(first.origin);
    const part = alice.events.find((e) => e.type === 'chat.line' && e.kind === 'part');
    expect(part).toMatchObject({ nick: 'bob', text: 'restarted', origin: first.origin });
    expect(alice.events.some((e) => e.type === 'notice' && String(e.text).includes('also uses'))).toBe(false);
    // The restarted node does not show its own last run leaving.
    expect(again.events.some((e) => e.type === 'chat.line' && e.kind === 'part')).toBe(false);

    // A clean stop leaves nothing to undo: the next run sends no PART for it.
    again.proc.stdin.end();
    expect(await again.exited()).toBe(0);
    await alice.waitEvent((e) => e.type === 'chat.line' && e.kind === 'part' && e.origin === back.origin);
    const third = await cli(bobArgs, { dataDir: dir });
    await third.waitEvent((e) => e.type === 'peer.up');
    third.send('third run');
    await alice.waitEvent((e) => e.type === 'chat.line' && e.text === 'third run');
    expect(alice.events.filter((e) => e.type === 'chat.line' && e.kind === 'part')).toHaveLength(2);
  });
});
