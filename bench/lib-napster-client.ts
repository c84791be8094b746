/**
 * A Napster client for the server bench (issue 12 "Speed"), as cheap as a
 * client can be so that the load it generates costs less CPU than the server
 * spends answering it: it reads frame headers where they lie in each received
 * chunk and skips payloads without copying or concatenating anything, except
 * the payloads of one chosen type (the 214 stats the bench polls).
 */
import { connect, type Socket } from 'node:net';
import { encodeFrame } from '../protocols/napster/codec.js';

const HEADER = 4;

export class BenchClient {
  readonly socket: Socket;
  /** Called at each frame header (the frame's payload may still be on its way). */
  onFrame: (type: number) => void = () => undefined;
  /** Called with the whole payload of each frame of type `capture`. */
  onPayload: (type: number, payload: Buffer) => void = () => undefined;
  readonly #capture: number;
  readonly #hdr = Buffer.alloc(HEADER);
  #hdrHave = 0;
  /** Payload bytes of the current frame still to come. */
  #skip = 0;
  #cap: Buffer | undefined;
  #capOff = 0;
  #capType = 0;

  constructor(port: number, capture = -1) {
    this.#capture = capture;
    this.socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('error', () => undefined);
    this.socket.on('data', (c: Buffer) => this.#scan(c));
  }

  send(type: number, text: string): void {
    this.socket.write(encodeFrame(type, text));
  }

  /** Resolves at the next frame of `type`. */
  waitFor(type: number): Promise<void> {
    return new Promise((resolve) => {
      const prev = this.onFrame;
      this.onFrame = (t) => {
        prev(t);
        if (t === type) {
          this.onFrame = prev;
          resolve();
        }
      };
    });
  }

  #scan(c: Buffer): void {
    const n = c.length;
    let p = 0;
    while (p < n) {
      if (this.#skip > 0) {
        const k = Math.min(this.#skip, n - p);
        if (this.#cap) {
          c.copy(this.#cap, this.#capOff, p, p + k);
          this.#capOff += k;
        }
        p += k;
        this.#skip -= k;
        if (this.#skip === 0) this.#delivered();
        continue;
      }
      let len: number;
      let type: number;
      if (this.#hdrHave === 0 && n - p >= HEADER) {
        len = c.readUInt16LE(p);
        type = c.readUInt16LE(p + 2);
        p += HEADER;
      } else {
        const k = Math.min(HEADER - this.#hdrHave, n - p);
        c.copy(this.#hdr, this.#hdrHave, p, p + k);
        this.#hdrHave += k;
        p += k;
        if (this.#hdrHave < HEADER) return;
        this.#hdrHave = 0;
        len = this.#hdr.readUInt16LE(0);
        type = this.#hdr.readUInt16LE(2);
      }
      this.onFrame(type);
      if (type === this.#capture) {
        this.#cap = Buffer.alloc(len);
        this.#capOff = 0;
        this.#capType = type;
      }
      this.#skip = len;
      if (len === 0) this.#delivered();
    }
  }

  #delivered(): void {
    const cap = this.#cap;
    if (!cap) return;
    this.#cap = undefined;
    this.onPayload(this.#capType, cap);
  }
}
