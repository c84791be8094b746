/**
 * A slot-exhaustion attack for tests and benches (issue 8, "Idle plain peers lock the
 * inbound slots"): `halfOpen` sockets that connect and never send a byte, and `slow`
 * sockets that send one byte a second and never finish a line (slowloris). Every socket
 * has its own loopback source address (127.77.x.y), so per-IP limits do not stop them,
 * and each one reconnects 10 ms after it is closed, so the pressure never lets up.
 * Loopback only.
 */
import { connect, type Socket } from 'node:net';

export interface StormOptions {
  port: number;
  halfOpen: number;
  slow: number;
  /** Delay before a closed socket connects again (ms). */
  reconnectMs?: number;
}

/** A running storm. */
export interface Storm {
  /** Sockets connected right now. */
  readonly connected: number;
  /** Connections made so far (reconnections included). */
  readonly opened: number;
  stop(): void;
}

/** The source address of attacker socket `i` (127.77.0.1 onwards, 250 per /24). */
export function stormSource(i: number): string {
  return `127.77.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

/** Starts the storm; resolves once every socket connected once. */
export async function startStorm(o: StormOptions): Promise<Storm> {
  const reconnectMs = o.reconnectMs ?? 10;
  let stopped = false;
  let connected = 0;
  let opened = 0;
  const live = new Set<Socket>();
  const slow = new Set<Socket>();
  const first: Array<Promise<void>> = [];

  const open = (i: number, isSlow: boolean, onFirst?: () => void): void => {
    if (stopped) return;
    const s = connect({ host: '127.0.0.1', port: o.port, localAddress: stormSource(i) });
    let up = false;
    s.on('connect', () => {
      up = true;
      connected++;
      opened++;
      live.add(s);
      if (isSlow) slow.add(s);
      onFirst?.();
    });
    s.on('data', () => undefined); // read what the node says, like a real client
    s.on('error', () => undefined);
    s.on('close', () => {
      if (up) connected--;
      live.delete(s);
      slow.delete(s);
      if (!up) onFirst?.();
      if (!stopped) setTimeout(() => open(i, isSlow), reconnectMs);
    });
  };

  const total = o.halfOpen + o.slow;
  for (let i = 0; i < total; i++) {
    first.push(new Promise<void>((resolve) => open(i, i >= o.halfOpen, resolve)));
    if (i % 100 === 99) await new Promise((r) => setImmediate(r)); // do not fill the listen backlog at once
  }
  const drip = setInterval(() => {
    for (const s of slow) s.write('x');
  }, 1_000);
  await Promise.all(first);
  return {
    get connected() {
      return connected;
    },
    get opened() {
      return opened;
    },
    stop: () => {
      stopped = true;
      clearInterval(drip);
      for (const s of live) s.destroy();
    },
  };
}
