import type { Clock, Timer } from '../../src/clock.js';
import { NetError, toNetError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { Connection } from '../../src/net/connection.js';
import * as C from './client-constants.js';
import { firstLoginStep, loginStep, reconnectDelay, type LoginIdentity, type LoginState } from './client-login.js';
import type { LinkView } from './client-link-words.js';
import { parseServerFrame, type ServerMessage } from './client-server-messages.js';
import { encodeFrame, type NapFrame } from './codec.js';
import { MAX_PAYLOAD, MSG_SERVER_STATS } from './constants.js';

/** What a link tells its owner. */
export interface LinkHooks {
  /** Dials the server (through the plugin's connection group). */
  dial(host: string, port: number): Promise<Connection<NapFrame>>;
  online(link: ServerLink): void;
  /** A server message nobody waited for (chat, notices, 607, 501, ...). */
  message(link: ServerLink, msg: ServerMessage): void;
  /** The session ended; `retryMs` when a reconnect is scheduled. */
  down(link: ServerLink, reason: string, retryMs: number | undefined): void;
}

/** Encodes one frame; we never send what OpenNap would silently drop us for (§2), so a payload over the limit is a USAGE error, not cut. */
function encodeChecked(type: number, text: string): Buffer {
  if (text.length > MAX_PAYLOAD) throw NetError.usage(`napster message too long (${text.length} > ${MAX_PAYLOAD} bytes)`);
  return encodeFrame(type, text);
}

/** A serial request (search, browse) whose answer is a run of frames ending in a known one. */
interface Query {
  send: { type: number; text: string };
  /** Takes a message; returns 'more' to keep collecting, 'end' when done, 'no' when it is not ours. */
  take(msg: ServerMessage): 'more' | 'end' | 'no';
  finish(err?: NetError): void;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

interface Waiter {
  match(msg: ServerMessage): boolean;
}

/**
 * One session with one OpenNap server (napster.md §3, §6.1): dial, nick check,
 * registration or login, then frames in both directions; its own timeouts
 * for everything the server may leave unanswered; reconnect with backoff
 * unless the refusal is final (a wrong password) or the user logged out.
 * Searches and browses go one at a time: OpenNap replies carry no request id.
 */
export class ServerLink {
  readonly host: string;
  readonly port: number;
  readonly key: string;
  state: LoginState | 'connecting' | 'offline' | 'stopped' = 'offline';
  /** Users, files and gigabytes from the last 214. */
  stats = { users: 0, files: 0, gigabytes: 0 };
  /** The reason the last session ended (shown by /nservers). */
  lastError = '';
  readonly #id: () => LoginIdentity;
  readonly #hooks: LinkHooks;
  readonly #clock: Clock;
  readonly #log: Logger;
  #conn: Connection<NapFrame> | undefined;
  #attempt = 0;
  #retry: Timer | undefined;
  /** A 214 went out after a silence and nothing came since. */
  #probed = false;
  /** When the planned redial happens (clock time), while one is planned. */
  #retryAt: number | undefined;
  #loginTimer: Timer | undefined;
  readonly #queries: Query[] = [];
  #active: { q: Query; timer: Timer; onAbort: () => void } | undefined;
  readonly #waiters = new Set<Waiter>();
  /** whenOnline() callers, told when the login under way ends either way. */
  readonly #loginWaiters = new Set<(err?: NetError) => void>();
  readonly #timeouts: C.ClientTimeouts;

  constructor(host: string, port: number, id: () => LoginIdentity, hooks: LinkHooks, clock: Clock, log: Logger, timeouts: C.ClientTimeouts = C.DEFAULT_TIMEOUTS) {
    this.#timeouts = timeouts;
    this.host = host;
    this.port = port;
    this.key = `${host}:${port}`;
    this.#id = id;
    this.#hooks = hooks;
    this.#clock = clock;
    this.#log = log;
  }

  get online(): boolean {
    return this.state === 'online';
  }

  /** What `/nservers` shows of this session (client-link-words.ts). */
  view(): LinkView {
    const retryInMs = this.state === 'offline' && this.#retryAt !== undefined ? Math.max(0, this.#retryAt - this.#clock.now()) : undefined;
    return { key: this.key, state: this.state, nick: this.#id().nick, stats: this.stats, lastError: this.lastError, retryInMs };
  }

  get connection(): Connection<NapFrame> | undefined {
    return this.#conn;
  }

  /**
   * Resolves once we are logged in: at once when online, when the login under
   * way succeeds (a download revived at start-up runs before it has ended);
   * rejects at once when no login is under way (offline, stopped), and when
   * the one under way fails (the login timeout bounds the wait) or on abort.
   */
  whenOnline(signal?: AbortSignal): Promise<void> {
    if (this.online) return Promise.resolve();
    if (this.state === 'offline' || this.state === 'stopped') return Promise.reject(NetError.closed(`not logged in to ${this.key}`));
    return new Promise((resolve, reject) => {
      const settle = (err?: NetError): void => {
        this.#loginWaiters.delete(settle);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const onAbort = (): void => settle(toNetError(signal?.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#loginWaiters.add(settle);
    });
  }

  /** Dials and logs in (again); a link that was stopped stays stopped. */
  start(): void {
    if (this.state === 'stopped' || this.#conn) return;
    this.#retry?.cancel();
    this.#retryAt = undefined;
    this.state = 'connecting';
    this.#hooks.dial(this.host, this.port).then(
      (conn) => this.#connected(conn),
      (err: unknown) => this.#ended(`cannot connect: ${toNetError(err).message}`, true),
    );
  }

  /** Logs out for good (no reconnect): `/nlogout` or shutdown. */
  stop(reason = 'logged out'): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.#retry?.cancel();
    this.#loginTimer?.cancel();
    const conn = this.#conn;
    this.#conn = undefined;
    this.#failAll(NetError.closed(reason));
    conn?.close(NetError.closed(reason));
  }

  /** Sends one frame; false when not connected. Throws USAGE for an oversized payload. */
  send(type: number, text: string): boolean {
    if (!this.#conn || this.#conn.closed) return false;
    return this.#conn.send(encodeChecked(type, text));
  }

  /** Sends many frames as one write (spec §11: no Nagle stalls, one syscall for a share list). */
  sendAll(frames: Array<{ type: number; text: string }>): boolean {
    if (!this.#conn || this.#conn.closed || frames.length === 0) return false;
    return this.#conn.send(Buffer.concat(frames.map((f) => encodeChecked(f.type, f.text))));
  }

  /**
   * Runs a serial request: sent when the ones before it are done, finished by
   * its end frame, by `timeoutMs` (the server may never answer), by the
   * signal, or by the session ending.
   */
  query(q: Omit<Query, 'finish'>): Promise<void> {
    if (!this.online) return Promise.reject(NetError.closed(`not logged in to ${this.key}`));
    return new Promise((resolve, reject) => {
      let settled = false;
      const query: Query = {
        ...q,
        finish: (err) => {
          if (settled) return;
          settled = true;
          if (err) reject(err);
          else resolve();
        },
      };
      this.#queries.push(query);
      this.#pump();
    });
  }

  /**
   * Waits for one server message that `pick` accepts (a 204 for our 203, ...);
   * rejects after `ms`, on abort, or when the session ends.
   */
  expect<T>(pick: (msg: ServerMessage) => T | undefined, ms: number, what: string, signal?: AbortSignal): Promise<T> {
    if (!this.online) return Promise.reject(NetError.closed(`not logged in to ${this.key}`));
    if (this.#waiters.size >= C.MAX_PENDING_REQUESTS) return Promise.reject(NetError.limit('too many requests waiting for this server'));
    return new Promise((resolve, reject) => {
      const done = (): void => {
        timer.cancel();
        this.#waiters.delete(w);
        signal?.removeEventListener('abort', onAbort);
      };
      const w: Waiter & { fail(e: NetError): void } = {
        match: (msg) => {
          const v = pick(msg);
          if (v === undefined) return false;
          done();
          resolve(v);
          return true;
        },
        fail: (e) => {
          done();
          reject(e);
        },
      };
      const timer = this.#clock.setTimeout(() => w.fail(NetError.timeout(`${this.key} did not answer ${what}`, ms)), ms);
      const onAbort = (): void => w.fail(toNetError(signal?.reason));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(w);
    });
  }

  /**
   * The connection was silent both ways for the silence time (OpenNap sends a
   * 214 every 60 s, so a live server never is): the first time, ask for a 214
   * and keep the link (true); silent again after that, the server is gone
   * (a half-open TCP link, a hung server): false closes it, and we redial.
   */
  onSilence(): boolean {
    if (this.state !== 'online' || this.#probed) {
      if (this.state === 'online') this.lastError = `the server answered nothing for ${Math.round(this.#timeouts.silenceMs / 1000)} s (not even a 214)`;
      return false;
    }
    this.#probed = true;
    return this.send(MSG_SERVER_STATS, '');
  }

  /** Frames from the connection group. */
  onFrame(frame: NapFrame): void {
    this.#probed = false;
    const msg = parseServerFrame(frame);
    if (msg.kind === 'malformed') {
      this.#log.info(`${this.key}: ignored a malformed ${msg.type}: ${msg.reason}`);
      return;
    }
    if (this.state !== 'online') return this.#loginFrame(msg);
    if (msg.kind === 'stats') this.stats = { users: msg.users, files: msg.files, gigabytes: msg.gigabytes };
    const active = this.#active;
    if (active) {
      const r = active.q.take(msg);
      if (r === 'end') this.#finishActive();
      if (r !== 'no') return;
    }
    for (const w of this.#waiters) if (w.match(msg)) return;
    this.#hooks.message(this, msg);
  }

  /** The connection closed (for any reason). */
  onClose(reason: NetError | undefined): void {
    this.#conn = undefined;
    if (this.state === 'stopped') return;
    const ghost = this.lastError.startsWith('someone logged in');
    this.#ended(this.lastError || reason?.message || 'connection closed', !ghost);
  }

  #connected(conn: Connection<NapFrame>): void {
    if (this.state === 'stopped') {
      conn.close(NetError.closed('logged out'));
      return;
    }
    this.#conn = conn;
    this.lastError = '';
    const id = this.#id();
    const first = firstLoginStep(id);
    this.state = first.state;
    this.send(first.type, first.text);
    this.#loginTimer = this.#clock.setTimeout(() => {
      this.lastError = 'login timed out';
      conn.close(NetError.timeout('napster login', this.#timeouts.loginMs));
    }, this.#timeouts.loginMs);
  }

  #loginFrame(msg: ServerMessage): void {
    if (this.state === 'offline' || this.state === 'stopped' || this.state === 'connecting') return;
    const step = loginStep(this.state, msg, this.#id());
    switch (step.do) {
      case 'send':
        this.state = step.state;
        this.send(step.type, step.text);
        return;
      case 'online':
        this.#loginTimer?.cancel();
        this.state = 'online';
        this.#attempt = 0;
        this.#conn?.handshakeDone();
        this.#hooks.online(this);
        for (const settle of [...this.#loginWaiters]) settle();
        return;
      case 'fail':
        this.lastError = `login refused: ${step.reason}`;
        if (!step.retry) {
          this.state = 'stopped';
          this.#loginTimer?.cancel();
          this.#hooks.down(this, this.lastError, undefined);
          for (const settle of [...this.#loginWaiters]) settle(NetError.refused(step.reason));
        }
        this.#conn?.close(NetError.refused(step.reason));
        return;
      case 'wait':
        return;
    }
  }

  /** Ghost kill (§3.2 rule 7): someone logged in as us; reconnecting would fight them. */
  noteGhost(): void {
    this.lastError = 'someone logged in with this nick from the same address';
  }

  #ended(reason: string, retry: boolean): void {
    this.#loginTimer?.cancel();
    this.#failAll(NetError.closed(`${this.key}: ${reason}`));
    if (this.state === 'stopped') return;
    this.state = 'offline';
    this.lastError = reason;
    let retryMs: number | undefined;
    if (retry) {
      retryMs = reconnectDelay(this.#attempt++, Math.random());
      this.#retryAt = this.#clock.now() + retryMs;
      this.#retry = this.#clock.setTimeout(() => this.start(), retryMs);
    }
    this.#hooks.down(this, reason, retryMs);
  }

  #failAll(err: NetError): void {
    const active = this.#active;
    this.#active = undefined;
    if (active) {
      active.timer.cancel();
      active.q.signal?.removeEventListener('abort', active.onAbort);
      active.q.finish(err);
    }
    for (const q of this.#queries.splice(0)) q.finish(err);
    for (const w of [...this.#waiters]) (w as Waiter & { fail(e: NetError): void }).fail(err);
    for (const settle of [...this.#loginWaiters]) settle(err);
  }

  #pump(): void {
    while (!this.#active && this.#queries.length > 0) {
      const q = this.#queries.shift()!;
      if (q.signal?.aborted) {
        q.finish(toNetError(q.signal.reason));
        continue;
      }
      if (!this.send(q.send.type, q.send.text)) {
        q.finish(NetError.closed(`not connected to ${this.key}`));
        continue;
      }
      const timer = this.#clock.setTimeout(() => this.#finishActive(NetError.timeout(`${this.key} never ended the answer`, q.timeoutMs)), q.timeoutMs);
      // An aborted search still gets its answer from the server: the caller is
      // released at once, and the answer is drained so it cannot land in the next query.
      const onAbort = (): void => q.finish(toNetError(q.signal?.reason));
      q.signal?.addEventListener('abort', onAbort, { once: true });
      this.#active = { q, timer, onAbort };
    }
  }

  #finishActive(err?: NetError): void {
    const a = this.#active;
    if (!a) return;
    this.#active = undefined;
    a.timer.cancel();
    a.q.signal?.removeEventListener('abort', a.onAbort);
    a.q.finish(err);
    this.#pump();
  }
}
