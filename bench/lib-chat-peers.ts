/**
 * Child process for bench/chat-relay: two protocol peers A and C linked to the
 * node under test. A floods N MSG lines; C counts what the node forwards.
 * Prints one JSON line with the timings. Runs in its own process so the node
 * under test has a core to itself.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const port = Number(process.argv[2]);
const total = Number(process.argv[3]);

function peer(nick: string): Promise<{ socket: Socket; lines: (cb: (line: string) => void) => void }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(`HELLO peerdeck-chat/1 node=${randomBytes(16).toString('hex')} nick=${nick} listen=- mesh=default\n`);
    });
    socket.on('error', reject);
    let onLine: (line: string) => void = () => undefined;
    let buf = '';
    let helloSeen = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      let start = 0;
      while ((nl = buf.indexOf('\n', start)) !== -1) {
        const line = buf.slice(start, nl);
        start = nl + 1;
        if (!helloSeen && line.startsWith('HELLO ')) {
          helloSeen = true;
          resolve({ socket, lines: (cb) => (onLine = cb) });
        }
        onLine(line);
      }
      buf = buf.slice(start);
    });
  });
}

const a = await peer('benchA');
const c = await peer('benchC');
await new Promise((r) => setTimeout(r, 300));

const origin = randomBytes(16).toString('hex');
const prefix = randomBytes(8).toString('hex');
let received = 0;
let first = 0;
const done = new Promise<void>((resolve) => {
  c.lines((line) => {
    if (!line.startsWith('MSG ')) return;
    received++;
    if (received === total) resolve();
  });
});
// Pre-encode outside the timed part: this measures the relay, not the sender.
const batches: string[] = [];
const per = 2_000;
for (let i = 0; i < total; i += per) {
  let s = '';
  for (let k = i; k < Math.min(total, i + per); k++) s += `MSG ${prefix}${k.toString(16).padStart(16, '0')} 16 ${origin} 1700000000000 benchA :line number ${k} of the relay benchmark\n`;
  batches.push(s);
}
first = performance.now();
let bi = 0;
const pump = (): void => {
  while (bi < batches.length) {
    if (!a.socket.write(batches[bi++]!)) {
      a.socket.once('drain', pump);
      return;
    }
  }
};
pump();
const timeout = setTimeout(() => {
  process.stdout.write(JSON.stringify({ received, total, elapsedMs: performance.now() - first, timedOut: true }) + '\n');
  process.exit(1);
}, 60_000);
await done;
clearTimeout(timeout);
process.stdout.write(JSON.stringify({ received, total, elapsedMs: performance.now() - first }) + '\n');
a.socket.destroy();
c.socket.destroy();
