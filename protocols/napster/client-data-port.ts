import { ByteQueue } from '../../src/codec/byte-queue.js';
import type { Decoder } from '../../src/codec/decoder.js';
import { NetError } from '../../src/errors.js';
import { MAX_DATA_ERROR_BYTES, MAX_DATA_HEADER_BYTES, MAX_NUMBER_DIGITS } from './client-constants.js';
import { DATA_GET, DATA_GETLIST, DATA_HELLO, DATA_SEND, DATA_SENDLIST } from './constants.js';

/**
 * What a data-port stream (napster.md §6.2) says, message by message. The
 * protocol has no terminators: a request ends with a number and then silence,
 * so the decoder reports `pending` while digits may still be in flight and the
 * caller calls `settle()` after a quiet time (or the peer's end of stream).
 */
export type DataMessage =
  /** The listener's `1`. */
  | { kind: 'hello' }
  /** `GET <nick> "<path>" <offset>` or `SEND <nick> "<path>" <size>` (`value` is the number). */
  | { kind: 'request'; command: 'GET' | 'SEND'; nick: string; path: string; value: number }
  /** A size (answer to GET) or an offset (answer to SEND). */
  | { kind: 'number'; value: number }
  /** `GETLIST`: someone wants our share list (direct browse). */
  | { kind: 'list-request' }
  /** `SENDLIST`: a firewalled browsee pushes its list; every byte from `SENDLIST` on is the list. */
  | { kind: 'list-push' }
  /** An error text sent instead of a number (`FILE NOT SHARED`, `INVALID REQUEST`, ...). */
  | { kind: 'refusal'; text: string }
  /** Complete as far as can be told; call `settle()` if nothing more arrives. */
  | { kind: 'pending' };

/**
 * Which side of a data connection we are:
 * - `listener`: someone connected to our data port; we sent `1`, they send GET or SEND.
 * - `get`: we connected to an uploader; it sends `1`, then the size digits and the file.
 * - `push`: we (a firewalled uploader) connected to a downloader; it sends `1`, then the offset.
 */
export type DataRole =
  | { role: 'listener' }
  /** `sizeDigits`: how many digits the size has (the size we saw in 201/204), as TekNap reads it. */
  | { role: 'get'; sizeDigits: number }
  | { role: 'push' }
  /** `browse`: we connected to a browsee for GETLIST; it sends `1`, then the list. */
  | { role: 'browse' };

type State = 'hello' | 'command' | 'header' | 'number' | 'refusal' | 'raw';

const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
/** Longest nick we accept in a request (OpenNap allows 19). */
const MAX_NICK_BYTES = 64;

/**
 * The pure, incremental parser of the client-to-client data-port protocol
 * (§6.2, with the §6.3 quirks: GET and its header split or coalesced, the
 * request sent before the `1` arrived). After the message that ends the
 * header phase (`request`, `number`), the rest of the stream is file bytes:
 * the caller detaches the socket and `takeRest()` hands them over.
 */
export class DataPortDecoder implements Decoder<DataMessage> {
  readonly #q = new ByteQueue();
  readonly #role: DataRole;
  #state: State;
  #command: 'GET' | 'SEND' = 'GET';
  #announced = false;

  constructor(role: DataRole) {
    this.#role = role;
    this.#state = role.role === 'listener' ? 'command' : 'hello';
  }

  push(chunk: Buffer): void {
    this.#q.push(chunk);
    this.#announced = false;
  }

  get buffered(): number {
    return this.#q.length;
  }

  takeRest(): Buffer[] {
    return this.#q.drain();
  }

  /** True once the header phase is over: every further byte is file data. */
  get done(): boolean {
    return this.#state === 'raw';
  }

  next(): DataMessage | undefined {
    switch (this.#state) {
      case 'hello':
        if (this.#q.length === 0) return undefined;
        if (this.#q.byteAt(0) !== DATA_HELLO) throw NetError.protocol('data port did not start with 1');
        this.#q.skip(1);
        this.#state = this.#role.role === 'browse' ? 'raw' : 'number';
        return { kind: 'hello' };
      case 'command':
        return this.#readCommand();
      case 'header':
        return this.#pendingOnce(this.#parseHeader(false) !== undefined);
      case 'number':
        return this.#readNumber(false);
      case 'refusal':
        if (this.#q.length >= MAX_DATA_ERROR_BYTES) return this.#refusal();
        return this.#pendingOnce(true);
      case 'raw':
        return undefined;
    }
  }

  /** The peer ended its side: whatever is complete now is final. */
  end(): DataMessage | undefined {
    return this.settle();
  }

  /** Nothing more arrived for a while: finish the pending header, number or refusal. */
  settle(): DataMessage | undefined {
    switch (this.#state) {
      case 'header': {
        const m = this.#parseHeader(true);
        if (!m) throw NetError.protocol('incomplete data-port request');
        return m;
      }
      case 'number':
        return this.#readNumber(true);
      case 'refusal':
        return this.#q.length > 0 ? this.#refusal() : undefined;
      case 'command': {
        const m = this.#listCommand(true);
        return m === 'wait' ? undefined : m;
      }
      default:
        return undefined;
    }
  }

  /** Reports `pending` once per arrival of bytes, so the caller (re)arms its settle timer. */
  #pendingOnce(ready: boolean): DataMessage | undefined {
    if (!ready || this.#announced) return undefined;
    this.#announced = true;
    return { kind: 'pending' };
  }

  /**
   * GETLIST / SENDLIST (§6.2 direct browse), told apart from a GET or SEND
   * whose nick starts with LIST: GETLIST is followed by nothing (or a line
   * end), SENDLIST by a line end or ` <nick>` (a SEND's nick is followed by a
   * space and a quoted path). `wait` while it cannot be told yet; undefined
   * when it is not a list command.
   */
  #listCommand(final: boolean): DataMessage | 'wait' | undefined {
    const n = this.#q.length;
    const head = this.#q.peek(Math.min(n, DATA_SENDLIST.length + 2)).toString('latin1');
    const eol = (c: string | undefined): boolean => c === '\n' || c === '\r';
    if (head.startsWith(DATA_GETLIST)) {
      const c = head[DATA_GETLIST.length];
      if (c === undefined && !final) return this.#pendingOnce(true) ?? 'wait';
      if (c !== undefined && !eol(c)) return undefined;
      this.#q.skip(DATA_GETLIST.length);
      this.#state = 'raw';
      return { kind: 'list-request' };
    }
    if (head.startsWith(DATA_SENDLIST)) {
      const c = head[DATA_SENDLIST.length];
      const d = head[DATA_SENDLIST.length + 1];
      if ((c === undefined || (c === ' ' && d === undefined)) && !final) return this.#pendingOnce(true) ?? 'wait';
      if (c !== undefined && !eol(c) && !(c === ' ' && d !== '"')) return undefined;
      this.#state = 'raw';
      return { kind: 'list-push' };
    }
    // A proper prefix of either word (or of GET / SEND): wait before deciding.
    if (!final && (DATA_GETLIST.startsWith(head) || DATA_SENDLIST.startsWith(head))) return 'wait';
    return undefined;
  }

  #readCommand(): DataMessage | undefined {
    const n = this.#q.length;
    if (n === 0) return undefined;
    const list = this.#listCommand(false);
    if (list === 'wait') return undefined;
    if (list) return list;
    const want = this.#q.byteAt(0) === DATA_SEND.charCodeAt(0) ? DATA_SEND : DATA_GET;
    const have = this.#q.peek(Math.min(n, want.length)).toString('latin1');
    if (!want.startsWith(have)) throw NetError.protocol(`unknown data-port command ${JSON.stringify(have)}`);
    if (have.length < want.length) return undefined;
    this.#q.skip(want.length);
    this.#command = want;
    this.#state = 'header';
    return this.next();
  }

  /**
   * `<nick> "<path>" <digits>`: undefined while incomplete, the request when
   * `final` (or throws for a malformed one). Limits are checked on every call.
   */
  #parseHeader(final: boolean): DataMessage | undefined {
    const n = this.#q.length;
    if (n > MAX_DATA_HEADER_BYTES) throw NetError.protocol(`data-port request longer than ${MAX_DATA_HEADER_BYTES} bytes`);
    const text = this.#q.peek(n).toString('latin1');
    const space = text.indexOf(' ');
    if (space === -1) {
      if (n > MAX_NICK_BYTES) throw NetError.protocol('data-port request: nick too long');
      if (final) throw NetError.protocol('incomplete data-port request');
      return undefined;
    }
    const nick = text.slice(0, space);
    if (nick === '' || nick.includes('"')) throw NetError.protocol('data-port request: bad nick');
    if (space + 1 >= n) return undefined;
    if (text[space + 1] !== '"') throw NetError.protocol('data-port request: path not quoted');
    const close = text.indexOf('"', space + 2);
    if (close === -1) return undefined;
    const path = text.slice(space + 2, close);
    if (close + 1 >= n) return undefined;
    if (text[close + 1] !== ' ') throw NetError.protocol('data-port request: no space before the number');
    const digits = text.slice(close + 2);
    if (!/^\d*$/.test(digits)) throw NetError.protocol('data-port request: number expected');
    if (digits.length > MAX_NUMBER_DIGITS) throw NetError.protocol('data-port request: number too long');
    if (digits.length === 0 || !final) return digits.length === 0 ? undefined : { kind: 'pending' };
    this.#q.skip(n);
    this.#state = 'raw';
    return { kind: 'request', command: this.#command, nick, path, value: Number(digits) };
  }

  /** A size or offset (or, when the first byte is no digit, a refusal text). */
  #readNumber(final: boolean): DataMessage | undefined {
    const n = this.#q.length;
    if (n === 0) return undefined;
    if (!isDigit(this.#q.byteAt(0))) {
      this.#state = 'refusal';
      return final ? this.settle() : this.next();
    }
    const limit = this.#role.role === 'get' ? this.#role.sizeDigits : MAX_NUMBER_DIGITS;
    let len = 0;
    while (len < n && len < limit && isDigit(this.#q.byteAt(len))) len++;
    const complete = this.#role.role === 'get' ? len === limit || len < n : len < n;
    if (this.#role.role !== 'get' && len === MAX_NUMBER_DIGITS && n > len && isDigit(this.#q.byteAt(len))) {
      throw NetError.protocol('data-port number too long');
    }
    if (this.#role.role === 'push' && len < n) throw NetError.protocol('data-port offset followed by junk');
    if (!complete && !final) return this.#pendingOnce(true);
    const value = Number(this.#q.consume(len).toString('latin1'));
    this.#state = 'raw';
    return { kind: 'number', value };
  }

  #refusal(): DataMessage {
    const text = this.#q.consume(Math.min(this.#q.length, MAX_DATA_ERROR_BYTES)).toString('latin1').replace(/[^\x20-\x7e]/g, '?').trim();
    this.#state = 'raw';
    return { kind: 'refusal', text };
  }
}

/** `GET` + `<nick> "<path>" <offset>` (§6.2), as one buffer: the receiver accepts it split or whole. */
export function encodeGetRequest(nick: string, path: string, offset: number): Buffer {
  return Buffer.from(`${DATA_GET}${nick} "${path}" ${offset}`, 'latin1');
}

/** `SEND` + `<nick> "<path>" <size>` (§6.2 push). */
export function encodeSendRequest(nick: string, path: string, size: number): Buffer {
  return Buffer.from(`${DATA_SEND}${nick} "${path}" ${size}`, 'latin1');
}

/** An uploader's errors start like these (§6.2); a receiver tests the prefix. */
export function isDataRefusal(text: string): boolean {
  return text.startsWith('FILE NOT') || text.startsWith('INVALID');
}
