/**
 * An honest node links within 5 s while a crowd of half-open and one-byte-a-second
 * sockets is connected to the node it dials (README "Limits"). Both nodes are real
 * processes; the attack runs here. The full figure (1,000 + 1,000 sockets) is measured
 * by bench/chat-slot-storm.ts; this test uses 150 + 150 to stay quick on a shared machine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chatPort, startCli, type CliNode } from '../cli/cli-process.js';
import { startStorm, type Storm } from '../../bench/lib-storm.js';
import { DEFAULT_MAX_PENDING } from '../../protocols/chat/constants.js';

const nodes: CliNode[] = [];
let storm: Storm | undefined;
afterEach(async () => {
  storm?.stop();
  storm = undefined;
  await Promise.all(nodes.splice(0).map((n) => n.cleanup()));
});
const base = ['--chat-port', '0', '--chat-host', '127.0.0.1', '--no-discovery'];

describe('inbound slots under a half-open and slowloris storm', () => {
  it('an honest node links within 5 s', async () => {
    const victim = await startCli([...base, '--nick', 'victim']);
    nodes.push(victim);
    await victim.waitEvent((e) => e.type === 'ready');
    const port = chatPort(victim);
    storm = await startStorm({ port, halfOpen: 150, slow: 150 });
    // Let the attack settle in: the node's pools are full before the honest node comes.
    // The node cuts storm sockets as fast as the storm reconnects them, so how many are
    // connected at one instant moves: the most seen must fill the node's pre-HELLO pool.
    let most = 0;
    for (const t0 = Date.now(); Date.now() - t0 < 1_500; await new Promise((r) => setTimeout(r, 50))) most = Math.max(most, storm.connected);
    expect(most).toBeGreaterThanOrEqual(DEFAULT_MAX_PENDING);
    const honest = await startCli([...base, '--nick', 'honest', '--connect', `127.0.0.1:${port}`]);
    nodes.push(honest);
    await honest.waitEvent((e) => e.type === 'ready');
    const t0 = Date.now();
    await honest.waitEvent((e) => e.type === 'peer.up' && e.nick === 'victim', 5_000);
    const ms = Date.now() - t0;
    await victim.waitEvent((e) => e.type === 'peer.up' && e.nick === 'honest');
    honest.send('made it');
    await victim.waitEvent((e) => e.type === 'chat.line' && e.text === 'made it');
    console.log(`slot storm: ${storm.connected} attack sockets connected, ${storm.opened} opened; honest node linked in ${ms} ms`);
    expect(ms).toBeLessThan(5_000);
  }, 60_000);
});
