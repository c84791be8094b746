/**
 * A load-generating child of the Napster server bench (issue 12 "Speed"): it
 * runs a share of the 1,000 simulated clients in its own process, so the
 * server process is measured, not the clients sharing its event loop. Driven
 * by the bench over the fork IPC channel: `login`, `share`, `unshare`,
 * `search`, `quit`; each answered with `{ done: cmd, ... }`.
 */
import { MSG_LOGIN, MSG_SEARCH, MSG_SEARCH_END, MSG_SERVER_STATS, MSG_SHARE, MSG_UNSHARE_ALL } from '../protocols/napster/constants.js';
import { encodeFrame } from '../protocols/napster/codec.js';
import { BenchClient } from './lib-napster-client.js';
import { shareText, userLibrary } from './lib-napster-names.js';

/** What the bench asks of a load child. */
export type LoadCommand =
  | { cmd: 'login'; port: number; from: number; to: number; files: number }
  | { cmd: 'share' }
  | { cmd: 'unshare' }
  /** Each client searches every `everyMs` ms on a fixed schedule (0: again as soon as answered). */
  | { cmd: 'search'; seconds: number; everyMs: number }
  | { cmd: 'quit' };

/** A load child's answer. */
export type LoadReply =
  | { done: 'login' | 'share' | 'unshare' }
  | { done: 'search'; answered: number; sent: number; p50: number; p99: number };

interface Loaded {
  client: BenchClient;
  shares: Buffer;
  queries: string[];
}

const clients: Loaded[] = [];

function reply(r: LoadReply): void {
  process.send!(r);
}

async function login(c: Extract<LoadCommand, { cmd: 'login' }>): Promise<void> {
  const pool: string[] = [];
  for (let u = c.from; u < c.to; u += 100) {
    const batch: Array<Promise<void>> = [];
    for (let k = u; k < Math.min(u + 100, c.to); k++) {
      const lib = userLibrary(k, c.files);
      const client = new BenchClient(c.port);
      batch.push(client.waitFor(MSG_SERVER_STATS));
      client.send(MSG_LOGIN, `user${k} pw 6699 "bench" 7`);
      // One buffer per client holding all its 100s, built now so that sharing only writes.
      clients.push({ client, shares: Buffer.concat(lib.paths.map((p, i) => encodeFrame(MSG_SHARE, shareText(p, i)))), queries: lib.queries });
      pool.push(...lib.queries);
    }
    await Promise.all(batch);
  }
  // A client whose own files gave no query borrows others' (the server never returns one's own files).
  clients.forEach((l, i) => {
    if (l.queries.length === 0) l.queries = [pool[i % pool.length]!];
  });
}

function search(seconds: number, everyMs: number): Promise<LoadReply> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    const lat: number[] = [];
    let sent = 0;
    let answered = 0;
    let running = clients.length;
    const finish = (): void => {
      if (--running > 0) return;
      lat.sort((a, b) => a - b);
      resolve({ done: 'search', answered, sent, p50: lat[Math.floor(lat.length * 0.5)] ?? NaN, p99: lat[Math.floor(lat.length * 0.99)] ?? NaN });
    };
    clients.forEach((l, i) => {
      let due = t0 + (i * everyMs) / clients.length;
      let start = 0;
      let q = i;
      const fire = (): void => {
        const now = performance.now();
        if (now >= end) return finish();
        start = now;
        sent++;
        l.client.send(MSG_SEARCH, l.queries[q++ % l.queries.length]!);
      };
      l.client.onFrame = (type) => {
        if (type !== MSG_SEARCH_END) return;
        const now = performance.now();
        if (now <= end) {
          answered++;
          lat.push(now - start);
        }
        if (everyMs <= 0) return fire();
        due += everyMs;
        // A client that fell behind (a stall) starts a fresh schedule instead of a burst.
        if (due < now - everyMs) due = now;
        if (due <= now) fire();
        else setTimeout(fire, due - now);
      };
      if (everyMs <= 0) fire();
      else setTimeout(fire, due - t0);
    });
  });
}

process.on('message', (m: LoadCommand) => {
  void (async () => {
    switch (m.cmd) {
      case 'login':
        await login(m);
        return reply({ done: 'login' });
      case 'share':
        for (const l of clients) l.client.socket.write(l.shares);
        return reply({ done: 'share' });
      case 'unshare':
        for (const l of clients) l.client.send(MSG_UNSHARE_ALL, '');
        return reply({ done: 'unshare' });
      case 'search':
        return reply(await search(m.seconds, m.everyMs));
      case 'quit':
        for (const l of clients) l.client.socket.destroy();
        process.disconnect();
    }
  })();
});
