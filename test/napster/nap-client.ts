/** A raw Napster client for tests: real TCP to 127.0.0.1, frames decoded as they arrive. */
import { connect, type Socket } from 'node:net';
import { vi } from 'vitest';
import { encodeFrame, type NapFrame } from '../../protocols/napster/codec.js';
import { NapFrameDecoder } from '../../protocols/napster/frame-decoder.js';

export interface Received {
  type: number;
  text: string;
  payload: Buffer;
}

export class NapClient {
  readonly frames: Received[] = [];
  closed = false;
  readonly #decoder = new NapFrameDecoder(65535);
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => {
      this.#decoder.push(c);
      for (let f: NapFrame | undefined = this.#decoder.next(); f; f = this.#decoder.next()) {
        this.frames.push({ type: f.type, text: f.payload.toString('latin1'), payload: f.payload });
      }
    });
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  static open(port: number): Promise<NapClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => resolve(new NapClient(s)));
      s.once('error', reject);
    });
  }

  /** Connects and logs in (type 2); resolves after the 214 that ends the login burst. */
  static async login(port: number, nick: string, opts: { pass?: string; dataPort?: number; speed?: number } = {}): Promise<NapClient> {
    const c = await NapClient.open(port);
    c.send(2, `${nick} ${opts.pass ?? 'pw'} ${opts.dataPort ?? 6699} "test client" ${opts.speed ?? 7}`);
    await c.waitType(214);
    c.frames.length = 0;
    return c;
  }

  send(type: number, text = ''): void {
    this.socket.write(encodeFrame(type, text));
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Waits until a frame of this type arrived (after `from`); returns it. */
  async waitType(type: number, from = 0, timeout = 10_000): Promise<Received> {
    let hit: Received | undefined;
    await vi.waitFor(
      () => {
        hit = this.frames.slice(from).find((f) => f.type === type);
        if (!hit) throw new Error(`no frame of type ${type} yet; have ${this.frames.map((f) => f.type).join(',')}`);
      },
      { timeout, interval: 5 },
    );
    return hit!;
  }

  async waitCount(n: number, timeout = 10_000): Promise<void> {
    await vi.waitFor(
      () => {
        if (this.frames.length < n) throw new Error(`${this.frames.length} of ${n} frames`);
      },
      { timeout, interval: 5 },
    );
  }

  /** Sends a command and returns every frame up to and including the first of type `until`. */
  async ask(type: number, text: string, until: number): Promise<Received[]> {
    const from = this.frames.length;
    this.send(type, text);
    await this.waitType(until, from);
    const end = this.frames.findIndex((f, i) => i >= from && f.type === until);
    return this.frames.slice(from, end + 1);
  }

  async waitClosed(timeout = 10_000): Promise<void> {
    await vi.waitFor(
      () => {
        if (!this.closed) throw new Error('still open');
      },
      { timeout, interval: 5 },
    );
  }

  close(): void {
    this.socket.destroy();
  }
}
