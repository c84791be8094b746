/**
 * Child process for bench/chat-relay: two protocol peers A and C linked to the
 * relay under test (`lib-chat-peers PORT TOTAL`, or `PORT_A TOTAL PORT_C` when
 * A and C link to different nodes of a chain; a fourth argument `warmup` for the
 * untimed flood before the timed one). A floods N MSG lines; C counts what
 * arrives. Prints one JSON line with the timings. Runs in its own process so the
 * relay under test has a core to itself.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const portA = Number(process.argv[2]);
const total = Number(process.argv[3]);
const portC = Number(process.argv[4] ?? portA);
/**
 * Every run is a new pair of nodes (new node ids, a new origin). The warm-up's pair has nicks
 * of its own: with the timed pair's nicks the timed flood came from a second live node calling
 * itself benchA, a nick clash every relay shows as `benchA~` and the origin's first digits
 * (README "Chat"), which a mesh of users seldom has and the figure is not about.
 */
const [nickA, nickC] = process.argv[5] === 'warmup' ? ['benchW', 'benchX'] : ['benchA', 'benchC'];

/** Called for each received line: the bytes are buf[start, end) (without the LF). */
type OnLine = (buf: Buffer, start: number, end: number) => void;
const LF = 0x0a;

/** A protocol peer; lines are handed over as byte ranges so counting them costs the child little. */
function peer(nick: string, port: number): Promise<{ socket: Socket; lines: (cb: OnLine) => void }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(`HELLO peerdeck-chat/1 node=${randomBytes(16).toString('hex')} nick=${nick} listen=- mesh=default\n`);
    });
    socket.on('error', reject);
    let onLine: OnLine = () => undefined;
    let rest: Buffer | undefined;
    let helloSeen = false;
    socket.on('data', (chunk: Buffer) => {
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      for (let nl = buf.indexOf(LF); nl !== -1; nl = buf.indexOf(LF, start)) {
        if (!helloSeen && buf.toString('latin1', start, start + 6) === 'HELLO ') {
          helloSeen = true;
          resolve({ socket, lines: (cb) => (onLine = cb) });
        }
        onLine(buf, start, nl);
        start = nl + 1;
      }
      rest = start < buf.length ? buf.subarray(start) : undefined;
    });
  });
}

const a = await peer(nickA, portA);
const c = await peer(nickC, portC);
await new Promise((r) => setTimeout(r, 300));

const origin = randomBytes(16).toString('hex');
const prefix = randomBytes(8).toString('hex');
let received = 0; // distinct lines
let duplicates = 0;
const got = new Uint8Array(total);
let first = 0;
const idAt = 4 + prefix.length; // MSG <prefix><16 hex of k> ...
const M = 0x4d;
const S = 0x53;
const G = 0x47;
const hex = (c: number): number => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);
const done = new Promise<void>((resolve) => {
  c.lines((buf, start, end) => {
    if (end - start < idAt + 16 || buf[start] !== M || buf[start + 1] !== S || buf[start + 2] !== G || buf[start + 3] !== 0x20) return;
    let k = 0;
    for (let i = start + idAt; i < start + idAt + 16; i++) k = k * 16 + hex(buf[i]!);
    if (got[k] === 1) {
      duplicates++;
      return;
    }
    got[k] = 1;
    received++;
    if (received === total) resolve();
  });
});
// Pre-encode outside the timed part: this measures the relay, not the sender.
const batches: string[] = [];
const per = 2_000;
for (let i = 0; i < total; i += per) {
  let s = '';
  for (let k = i; k < Math.min(total, i + per); k++) s += `MSG ${prefix}${k.toString(16).padStart(16, '0')} 16 ${origin} 1700000000000 ${nickA} :line number ${k} of the relay benchmark\n`;
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
  process.stdout.write(JSON.stringify({ received, total, duplicates, elapsedMs: performance.now() - first, timedOut: true }) + '\n');
  process.exit(1);
}, 60_000);
await done;
clearTimeout(timeout);
process.stdout.write(JSON.stringify({ received, total, duplicates, elapsedMs: performance.now() - first }) + '\n');
a.socket.destroy();
c.socket.destroy();
