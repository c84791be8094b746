/**
 * One error type for everything that goes wrong on the wire or with remote input.
 * A misbehaving peer produces a NetError that closes only its own connection;
 * the `code` lets the UI and tests tell reasons apart without parsing messages.
 */
import { sizesApart } from './words.js';

export type CoreErrorCode =
  | 'LINE_TOO_LONG'
  | 'FRAME_TOO_LARGE'
  | 'INFLATE_LIMIT'
  | 'BAD_MESSAGE'
  | 'HANDSHAKE_TIMEOUT'
  | 'IDLE_TIMEOUT'
  | 'TIMEOUT'
  | 'SLOW_CONSUMER'
  | 'LIMIT'
  | 'REFUSED'
  | 'PROTOCOL'
  | 'FLOOD'
  | 'SOCKET'
  | 'FILE'
  | 'DUPLICATE'
  | 'CLOSED'
  | 'PATH'
  | 'VERIFY'
  | 'SIZE'
  | 'INCOMPLETE'
  | 'NOT_FOUND'
  | 'USAGE';

/**
 * Codes a protocol adds for itself, by declaration merging in its own
 * `protocols/<name>/errors.ts` (so the core's list names no protocol):
 *
 * ```ts
 * declare module '../../src/errors.js' {
 *   interface ProtocolErrorCodes { WRONG_MESH: true }
 * }
 * ```
 *
 * Two protocols may declare the same code. Codes are upper-case words.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
export interface ProtocolErrorCodes {}

/** Every code a NetError may carry: the core's, and those the running protocols declared. */
export type NetErrorCode = CoreErrorCode | keyof ProtocolErrorCodes;

export class NetError extends Error {
  override readonly name = 'NetError';
  constructor(
    readonly code: NetErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static lineTooLong(limit: number): NetError {
    return new NetError('LINE_TOO_LONG', `line longer than ${limit} bytes`);
  }
  static frameTooLarge(size: number, limit: number): NetError {
    return new NetError('FRAME_TOO_LARGE', `frame of ${size} bytes exceeds the ${limit}-byte limit`);
  }
  static inflateLimit(compressed: number, inflated: number, maxRatio: number): NetError {
    return new NetError('INFLATE_LIMIT', `deflate stream expands past ${maxRatio}:1 (${compressed} bytes in, ${inflated} out)`);
  }
  static badMessage(what: string): NetError {
    return new NetError('BAD_MESSAGE', what);
  }
  static protocol(what: string): NetError {
    return new NetError('PROTOCOL', what);
  }
  static handshakeTimeout(ms: number): NetError {
    return new NetError('HANDSHAKE_TIMEOUT', `no handshake within ${ms} ms`);
  }
  static idleTimeout(ms: number): NetError {
    return new NetError('IDLE_TIMEOUT', `idle for ${ms} ms`);
  }
  static timeout(what: string, ms: number): NetError {
    return new NetError('TIMEOUT', `${what}: no answer within ${ms} ms`);
  }
  static slowConsumer(queued: number): NetError {
    return new NetError('SLOW_CONSUMER', `peer does not read: ${queued} bytes queued`);
  }
  static limit(what: string): NetError {
    return new NetError('LIMIT', what);
  }
  static refused(what: string): NetError {
    return new NetError('REFUSED', what);
  }
  static flood(what: string): NetError {
    return new NetError('FLOOD', what);
  }
  static socket(err: unknown): NetError {
    const e = err as NodeJS.ErrnoException;
    return new NetError('SOCKET', e?.code ? `${e.code}: ${e.message}` : String(err), { cause: err });
  }
  /** A local disk error (ENOSPC, ENOENT, EACCES...) while reading or writing a file: not the peer's fault. */
  static file(err: unknown, what = 'file'): NetError {
    if (err instanceof NetError) return err;
    const e = err as NodeJS.ErrnoException;
    // Node's fs messages already start with the code ("ENOENT: no such file..."): not said twice.
    const text = !e?.code ? String(err) : e.message.startsWith(`${e.code}:`) ? e.message : `${e.code}: ${e.message}`;
    return new NetError('FILE', `${what}: ${text}`, { cause: err });
  }
  /** The same file is already being downloaded (same SHA-1, or same source and name). */
  static duplicate(what: string): NetError {
    return new NetError('DUPLICATE', what);
  }
  static closed(what = 'connection closed'): NetError {
    return new NetError('CLOSED', what);
  }
  static path(what: string): NetError {
    return new NetError('PATH', what);
  }
  static verify(what: string): NetError {
    return new NetError('VERIFY', what);
  }
  static size(what: string): NetError {
    return new NetError('SIZE', what);
  }
  /** The source ended before the announced size: the part is kept, and /retry resumes it. */
  static incomplete(bytes: number, expected: number): NetError {
    // In words (`after 1.2 MiB of 4.0 MiB`; it said `after 1258291 of 4194304 bytes`), bytes where they tell the two apart.
    const [got, of] = sizesApart(bytes, expected);
    return new NetError('INCOMPLETE', `the source stopped after ${got} of ${of} (part kept for /retry)`);
  }
  static notFound(what: string): NetError {
    return new NetError('NOT_FOUND', what);
  }
  static usage(what: string): NetError {
    return new NetError('USAGE', what);
  }
}

/** Wraps anything thrown into a NetError, keeping NetErrors as they are. */
export function toNetError(err: unknown): NetError {
  return err instanceof NetError ? err : NetError.socket(err);
}
