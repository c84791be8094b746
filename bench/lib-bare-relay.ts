/**
 * The reference for the chat relay benches (issue 9): a bare Node
 * split-and-forward relay of the same lines. It answers each link's HELLO with
 * one of its own, splits every chunk into lines and writes each complete line
 * to every other link (one write per chunk), pausing a source while a
 * destination's queue is full. No parsing, dedup, events or limits: the
 * fastest a Node relay of these lines can be, on this machine, in this run.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

const LF = 0x0a;

/** Starts the bare relay on 127.0.0.1 (any free port). */
export async function startBareRelay(): Promise<{ port: number; close(): Promise<void> }> {
  const links = new Set<Socket>();
  const hello = Buffer.from(`HELLO peerdeck-chat/1 node=${randomBytes(16).toString('hex')} nick=bare listen=- mesh=default\n`);
  const server: Server = createServer((s) => {
    links.add(s);
    s.setNoDelay(true);
    s.write(hello);
    let rest: Buffer | undefined;
    s.on('data', (chunk: Buffer) => {
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      const lines: Buffer[] = [];
      let start = 0;
      for (let nl = buf.indexOf(LF, start); nl !== -1; nl = buf.indexOf(LF, start)) {
        lines.push(buf.subarray(start, nl + 1));
        start = nl + 1;
      }
      rest = start < buf.length ? buf.subarray(start) : undefined;
      if (lines.length === 0) return;
      const out = Buffer.concat(lines);
      for (const d of links) {
        if (d === s) continue;
        if (!d.write(out)) {
          s.pause();
          d.once('drain', () => s.resume());
        }
      }
    });
    s.on('error', () => s.destroy());
    s.on('close', () => links.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of links) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
