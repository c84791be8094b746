/**
 * Inbound slots under attack (issue 8, "Idle plain peers lock the inbound slots"): a real
 * headless node is hit by 1,000 half-open and 1,000 one-byte-a-second sockets, each from
 * its own loopback address and reconnecting 10 ms after it is closed; then an honest node
 * (another real process, `--connect`) starts. Figure: time from the honest node's `ready`
 * to its `peer.up`, target < 5 s, median of 3 honest nodes. `STORM_SOCKETS` = sockets of
 * each kind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headless } from './lib-headless.js';
import { belowTarget, measure, report } from './lib-measure.js';
import { startStorm } from './lib-storm.js';

const EACH = Number(process.env.STORM_SOCKETS ?? 1_000);
const base = ['--no-discovery', '--chat-host', '127.0.0.1'];
const dir = mkdtempSync(join(tmpdir(), 'peerdeck-storm-'));

const victim = headless([...base, '--chat-port', '0', '--nick', 'victim', '--data-dir', join(dir, 'victim')]);
const ready = await victim.next((e) => e.type === 'ready');
const port = (ready.ports as { chat: number }).chat;
const storm = await startStorm({ port, halfOpen: EACH, slow: EACH });
await new Promise((r) => setTimeout(r, 3_000));
console.log(`chat.slot_storm.attack: ${storm.connected} of ${2 * EACH} attack sockets connected, ${storm.opened} connections so far`);

let n = 0;
const ours = await measure(async () => {
  const honest = headless([...base, '--chat-port', '0', '--nick', `honest${n}`, '--connect', `127.0.0.1:${port}`, '--data-dir', join(dir, `honest${n++}`)]);
  await honest.next((e) => e.type === 'ready');
  const t0 = performance.now();
  await honest.next((e) => e.type === 'peer.up' && e.nick === 'victim', 30_000);
  const ms = performance.now() - t0;
  console.log(`chat.slot_storm.round: linked in ${ms.toFixed(0)} ms with ${storm.connected} attack sockets connected (${storm.opened} connections so far)`);
  await honest.stop();
  return ms;
});
storm.stop();
await victim.stop();
rmSync(dir, { recursive: true, force: true });
report({
  name: 'chat.slot_storm',
  title: `chat: honest node links while ${EACH.toLocaleString('en-US')} half-open + ${EACH.toLocaleString('en-US')} slowloris sockets are connected`,
  unit: 'ms',
  better: 'lower',
  ours,
  target: belowTarget(5_000, 'ms', ours),
});
