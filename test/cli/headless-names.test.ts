/**
 * One meaning per command name, one layout per command's output (README "Headless mode",
 * "Commands"): `/names` is who is here, in headless mode as in the TUI (it was the chat's peer
 * names, `/peernames`); `/help` groups commands under their owner as the TUI does (it printed a
 * flat list); `/peers` is the TUI's table, with its header (it printed rows without one).
 */
import { describe, expect, it } from 'vitest';
import { chatPort, clisStoppedAfterEach, type CliNode } from './cli-process.js';

const cli = clisStoppedAfterEach();
const base = ['--chat-port', '0', '--chat-host', '127.0.0.1', '--no-discovery'];

/** Lines printed after `mark` was sent, once `done` holds over them. */
async function answer(n: CliNode, command: string, done: (lines: string[]) => boolean): Promise<string[]> {
  const from = n.lines.length;
  n.send(command);
  let got: string[] = [];
  await expect.poll(() => done((got = n.lines.slice(from))), { timeout: 15_000, interval: 20 }).toBe(true);
  return got;
}

describe('/names, /help and /peers in headless mode', () => {
  it('/names lists who is here; /help and /peers read as the TUI lays them out', { timeout: 60_000 }, async () => {
    const alice = await cli([...base, '--nick', 'alice']);
    await alice.waitEvent((e) => e.type === 'ready');
    const bob = await cli([...base, '--nick', 'bob', '--connect', `127.0.0.1:${chatPort(alice)}`], { json: false });
    await expect.poll(() => bob.lines.some((l) => l.startsWith('peer up chat')), { timeout: 15_000 }).toBe(true);
    const names = await answer(bob, '/names', (l) => l.some((x) => x.startsWith('names in ')));
    expect(names.find((x) => x.startsWith('names in '))).toBe('names in chat (2): alice bob');
    const peers = await answer(bob, '/peers', (l) => l.some((x) => x.startsWith('127.0.0.1:')));
    const head = peers.findIndex((x) => x.startsWith('address '));
    expect(peers[head]).toMatch(/^address +protocol +dir +nick +uptime +queued$/);
    expect(peers[head + 1]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${chatPort(alice)} +chat +out +alice +\\d+s +0 B$`));
    // Someone who leaves is not here any more.
    alice.send('/quit');
    await expect.poll(() => bob.lines.some((l) => / <-- alice left/.test(l)), { timeout: 15_000 }).toBe(true);
    const after = await answer(bob, '/names', (l) => l.some((x) => x.startsWith('names in ')));
    expect(after.find((x) => x.startsWith('names in '))).toBe('names in chat (1): bob');

    const help = await answer(bob, '/help', (l) => l.includes('headless:') && l.some((x) => x.startsWith('  /names')));
    expect(help).toEqual(expect.arrayContaining(['core:', 'chat:', 'files:', 'headless:']));
    expect(help.find((x) => x.startsWith('  /peers'))).toMatch(/^ {2}\/peers {24}list live links: address, protocol/);
    // The chat's peer names are /peernames alone: /names has one meaning.
    expect(help.some((x) => /^ {2}\/names .*peer names/.test(x))).toBe(false);
    expect(help.some((x) => x.startsWith('  /peernames'))).toBe(true);
    const one = await answer(bob, '/help names', (l) => l.some((x) => x.startsWith('/names')));
    expect(one).toContain("/names  (headless) list the nicks present in the chat (with #channel: that Napster channel's members)");
  });
});
