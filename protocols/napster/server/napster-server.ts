/**
 * The OpenNap-compatible server (specs/napster.md §2-§8): one connection
 * group on the core, the login phase with its timeout, flood control, the
 * periodic 214, and dispatch of logged-in commands to the handlers. Decisions
 * live in login-policy.ts and the handlers; this class carries them out.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import type { Timer } from '../../../src/clock.js';
import { NetError, type NetErrorCode } from '../../../src/errors.js';
import type { Connection } from '../../../src/net/connection.js';
import type { ConnectionGroup, Listener } from '../../../src/net/connection-group.js';
import type { PluginContext } from '../../../src/plugin.js';
import { encodeFrame, FrameBatch, payloadText, type NapFrame } from '../codec.js';
import * as C from '../constants.js';
import { NapFrameDecoder } from '../frame-decoder.js';
import { isValidNick } from '../messages.js';
import { parseAdminLine, type NapsterServerOptions } from '../options.js';
import type { ClusterNode } from './cluster/cluster-node.js';
import { AccountStore, DEFAULT_HASH_COST, type HashCost } from './account-store.js';
import { FLOOD_EXEMPT, HANDLERS, isAdminType, RAW_HANDLERS } from './dispatch.js';
import { decideGhost, decideLogin, parseLogin, type LoginRequest } from './login-policy.js';
import { LOCAL_NETWORK } from './server-network.js';
import { ERR_PERMISSION, ServerState, type ServerConfig } from './server-state.js';
import { OutputQueueGuard } from './output-queue-guard.js';
import { Session } from './session.js';

/** Types OpenNap accepts before login (§3.2); others get `0 invalid command`. */
const PRE_LOGIN_IGNORED = new Set([C.MSG_ERROR, C.MSG_VERSION_CHECK, C.MSG_CLIENT_11, C.MSG_SERVER_300, C.MSG_SERVER_920, C.MSG_SERVER_LOGIN, C.MSG_SERVER_LOGIN_ACK]);
/**
 * A client's send queue. What stays queued after a write is held to OpenNap's
 * `client_queue_length` by the OutputQueueGuard; the hard cap only bounds what
 * one tick's commands may queue before that write.
 */
const QUEUE = { highWater: 64 * 1024, lowWater: 16 * 1024, hardCap: 512 * 1024 };
export const SERVER_VERSION = 'peerdeck 0.1.0';

export interface ServerRunOptions extends NapsterServerOptions {
  /** scrypt cost (tests lower it). */
  hashCost?: HashCost;
  /** How long a client may stay over OpenNap's output-queue limit before it is cut (tests shorten it). */
  slowReaderGraceMs?: number;
}

/** Why we cut a client off (logged at info); any other close is the client's own doing (debug). */
const DROP_CODES: ReadonlySet<NetErrorCode> = new Set<NetErrorCode>(['FRAME_TOO_LARGE', 'BAD_MESSAGE', 'PROTOCOL', 'SLOW_CONSUMER', 'FLOOD', 'LIMIT', 'INFLATE_LIMIT', 'LINE_TOO_LONG', 'IDLE_TIMEOUT', 'HANDSHAKE_TIMEOUT']);

export class NapsterServer {
  /** Connections we cut off since start, by reason (`/napster-stats`). */
  readonly cutOff = new Map<NetErrorCode, number>();
  readonly #ctx: PluginContext;
  readonly #opts: ServerRunOptions;
  #state: ServerState | undefined;
  #group: ConnectionGroup<NapFrame> | undefined;
  #listener: Listener | undefined;
  readonly #sessions = new Map<Connection<NapFrame>, Session>();
  readonly #loginTimers = new Map<Session, Timer>();
  #statsTimer: Timer | undefined;
  #cluster: ClusterNode | undefined;
  readonly #outputGuard: OutputQueueGuard;
  #lastSearches = 0;
  #lastStatsAt = 0;
  /** Searches per second over the last stats interval. */
  searchRate = 0;

  constructor(ctx: PluginContext, opts: ServerRunOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.#outputGuard = new OutputQueueGuard(C.CLIENT_QUEUE_BYTES, ctx.clock, opts.slowReaderGraceMs);
  }

  get port(): number {
    return this.#listener?.port ?? 0;
  }

  /** The cluster this server joined (issue 15), if any. */
  get cluster(): ClusterNode | undefined {
    return this.#cluster;
  }

  get state(): ServerState {
    if (!this.#state) throw NetError.closed('napster server is not running');
    return this.#state;
  }

  async start(): Promise<void> {
    const o = this.#opts;
    const motd = o.motdFile ? (await readFile(o.motdFile, 'latin1')).split(/\r?\n/).filter((l, i, a) => l !== '' || i < a.length - 1) : [];
    const cfg: ServerConfig = {
      name: o.name ?? (hostname().replace(/\s/g, '') || 'localhost'),
      version: SERVER_VERSION,
      motd,
      registeredOnly: o.registeredOnly,
      autoRegister: o.autoRegister,
      maxConnections: o.maxConnections,
      maxClones: o.maxClones,
      loginTimeoutMs: o.loginTimeoutMs,
      statsIntervalMs: o.statsIntervalMs,
      floodCommands: o.floodCommands,
      floodWindowMs: o.floodWindowMs,
      maxShares: o.maxShares,
    };
    const log = this.#ctx.log;
    const accounts = new AccountStore(join(this.#ctx.dataDir, 'napster-accounts.json'), o.hashCost ?? DEFAULT_HASH_COST, (err) =>
      log.error(`napster: cannot write accounts: ${String(err)}`),
    );
    await accounts.load();
    if (o.adminFile) await this.#installAdmin(accounts, await readFile(o.adminFile, 'utf8'));
    const st = new ServerState(cfg, accounts, this.#ctx.clock, log);
    this.#state = st;
    this.#group = this.#ctx.net.group<NapFrame>({
      name: 'napster',
      decoder: () => new NapFrameDecoder(C.MAX_PAYLOAD),
      handler: {
        onOpen: (conn) => this.#onOpen(conn),
        onMessage: (conn, frame) => this.#onMessage(conn, frame),
        onClose: (conn, reason) => this.#onClose(conn, reason),
        onRefused: (socket, reason) => this.#onRefused(socket, reason),
      },
      limits: { maxInbound: cfg.maxConnections, perIp: cfg.maxClones > 0 ? cfg.maxClones : Infinity },
      timeouts: { handshakeMs: 0, idleMs: 0 },
      queue: QUEUE,
    });
    this.#listener = await this.#group.listen(o.port, { host: o.host });
    if (o.cluster) {
      const ctx = this.#ctx;
      // The cluster code and its NATS client load only for a server in a cluster (issue 9, start-up).
      const { ClusterNode } = await import('./cluster/cluster-node.js');
      this.#cluster = new ClusterNode(st, o.cluster, {
        log,
        clock: ctx.clock,
        notify: (text) => ctx.emit({ type: 'notice', protocol: 'napster', text }),
      });
      st.network = this.#cluster;
      await this.#cluster.start();
    }
    this.#lastStatsAt = this.#ctx.clock.now();
    this.#statsTimer = this.#ctx.clock.setInterval(() => this.#tick(), cfg.statsIntervalMs);
  }

  async stop(): Promise<void> {
    this.#statsTimer?.cancel();
    await this.#cluster?.stop();
    for (const t of this.#loginTimers.values()) t.cancel();
    this.#loginTimers.clear();
    await this.#group?.close();
    await this.#state?.accounts.flush();
  }

  async #installAdmin(accounts: AccountStore, text: string): Promise<void> {
    const { nick, password } = parseAdminLine(text);
    if (!isValidNick(nick)) throw NetError.usage(`napster admin file: invalid nick ${nick}`);
    const acct = accounts.get(nick);
    if (!acct || !(await accounts.verify(acct, password))) await accounts.register(nick, password, { level: C.LEVEL_ELITE });
    else if (acct.level !== C.LEVEL_ELITE) accounts.update(nick, { level: C.LEVEL_ELITE });
  }

  #tick(): void {
    const st = this.state;
    const now = this.#ctx.clock.now();
    const secs = Math.max(1, (now - this.#lastStatsAt) / 1000);
    this.searchRate = Math.round(((st.searches - this.#lastSearches) / secs) * 10) / 10;
    this.#lastSearches = st.searches;
    this.#lastStatsAt = now;
    const stats = encodeFrame(C.MSG_SERVER_STATS, st.stats());
    for (const u of st.users.values()) u.sendRaw(stats);
    if (st.users.size > 0 || this.searchRate > 0) {
      this.#ctx.emit({
        type: 'notice',
        protocol: 'napster',
        text: `server: ${st.users.size} users, ${st.index.size} files, ${this.searchRate} searches/s`,
      });
    }
  }

  #onOpen(conn: Connection<NapFrame>): void {
    const st = this.state;
    const s = new Session(conn, () => this.#outputGuard.note(conn));
    st.connections++;
    this.#sessions.set(conn, s);
    this.#loginTimers.set(
      s,
      this.#ctx.clock.setTimeout(() => {
        if (s.state === 'online' || conn.closed) return;
        s.send(C.MSG_ERROR, 'Idle timeout');
        conn.close(NetError.handshakeTimeout(st.cfg.loginTimeoutMs));
      }, st.cfg.loginTimeoutMs),
    );
  }

  #onRefused(socket: Socket, _reason: NetError): void {
    const g = this.#group;
    const st = this.#state;
    if (!g || !st) return;
    const full = g.count('in') >= st.cfg.maxConnections;
    const text = full ? `This server is full (${g.count('in')} connections)` : 'Exceeded maximum connections';
    socket.write(encodeFrame(C.MSG_ERROR, text));
  }

  #onClose(conn: Connection<NapFrame>, reason: NetError | undefined): void {
    const s = this.#sessions.get(conn);
    this.#sessions.delete(conn);
    this.#outputGuard.forget(conn);
    if (!s) return;
    this.#loginTimers.get(s)?.cancel();
    this.#loginTimers.delete(s);
    const dropped = reason !== undefined && DROP_CODES.has(reason.code);
    if (dropped) this.cutOff.set(reason.code, (this.cutOff.get(reason.code) ?? 0) + 1);
    if (s.state === 'online') {
      this.state.detach(s);
      // A user we cut off is news to an operator; one who quits is not.
      if (dropped) this.#ctx.log.info(`napster: ${s.nick} (${s.ip}) dropped: ${reason.message}`);
      else this.#ctx.log.debug(`napster: ${s.nick} left: ${reason?.message ?? 'closed'}`);
    } else if (dropped && reason.code !== 'HANDSHAKE_TIMEOUT') {
      this.#ctx.log.info(`napster: a connection from ${s.ip} dropped before login: ${reason.message}`);
    }
    s.state = 'gone';
  }

  #onMessage(conn: Connection<NapFrame>, frame: NapFrame): void {
    const s = this.#sessions.get(conn);
    if (!s || s.state === 'gone') return;
    if (s.state !== 'online') return this.#preLogin(s, frame);
    const st = this.state;
    if (st.cfg.floodCommands > 0 && !FLOOD_EXEMPT.has(frame.type) && this.#flooding(s)) return;
    // Raw types (shares) stay on this server: the network never takes them.
    const raw = RAW_HANDLERS.get(frame.type);
    if (raw) return raw(st, s, frame.payload);
    const text = payloadText(frame);
    if (st.network.intercept(s, frame.type, text)) return;
    const handler = HANDLERS.get(frame.type);
    if (handler) return handler(st, s, text);
    if (frame.type === C.MSG_LOGIN || frame.type === C.MSG_NEW_USER_LOGIN) return st.notice(s, 'you are already logged in');
    st.notice(s, isAdminType(frame.type) ? ERR_PERMISSION : `Unknown command code ${frame.type}`);
  }

  /** Visible flood control: a notice, then the link is closed (OpenNap silently stops reading). */
  #flooding(s: Session): boolean {
    const st = this.state;
    const now = this.#ctx.clock.now();
    if (now - s.floodWindowStart >= st.cfg.floodWindowMs) {
      s.floodWindowStart = now;
      s.floodCount = 0;
    }
    if (++s.floodCount <= st.cfg.floodCommands) return false;
    const text = `flood control: more than ${st.cfg.floodCommands} commands in ${st.cfg.floodWindowMs / 1000} s; disconnecting`;
    s.sendRaw(new FrameBatch().add(C.MSG_NOTICE, text).add(C.MSG_DISCONNECTING, '0').toBuffer());
    s.conn.close(NetError.flood(`${s.nick}: ${text}`));
    this.#ctx.emit({ type: 'notice', protocol: 'napster', text: `server: ${s.nick} (${s.ip}) disconnected by flood control` });
    return true;
  }

  #preLogin(s: Session, frame: NapFrame): void {
    const text = payloadText(frame);
    switch (frame.type) {
      case C.MSG_LOGIN:
      case C.MSG_NEW_USER_LOGIN:
        return this.#login(s, text, frame.type === C.MSG_NEW_USER_LOGIN);
      case C.MSG_NICK_CHECK: {
        const nick = text.trim();
        if (!isValidNick(nick)) return s.send(C.MSG_NICK_INVALID);
        return s.send(this.state.accounts.get(nick) ? C.MSG_NICK_REGISTERED : C.MSG_NICK_FREE);
      }
      default:
        if (PRE_LOGIN_IGNORED.has(frame.type)) return;
        this.#refuse(s, 'invalid command');
    }
  }

  #refuse(s: Session, text: string): void {
    s.send(C.MSG_ERROR, text);
    s.conn.close(NetError.refused(`login refused: ${text}`));
  }

  #login(s: Session, text: string, register: boolean): void {
    const st = this.state;
    const parsed = parseLogin(text, register);
    if (parsed.kind === 'close') return s.conn.close(NetError.badMessage('login with too few fields'));
    if (parsed.kind === 'invalidNick') {
      s.send(C.MSG_NICK_INVALID);
      return s.conn.close(NetError.refused('invalid nick'));
    }
    if (parsed.kind === 'refuse') return this.#refuse(s, parsed.text);
    const req = parsed.req;
    if (st.network === LOCAL_NETWORK) return this.#decide(s, req);
    // In a cluster the account may have been registered on another server a moment ago.
    s.state = 'checking';
    s.conn.pause();
    st.network.prepareLogin(req.nick).then(
      () => {
        if (s.conn.closed) return;
        this.#decide(s, req);
        if (s.state === 'online') s.conn.resume();
      },
      (err: unknown) => {
        st.log.warn(`napster: login of ${req.nick} failed: ${String(err)}`);
        if (!s.conn.closed) this.#refuse(s, 'login failed');
      },
    );
  }

  #decide(s: Session, req: LoginRequest): void {
    const st = this.state;
    const acct = st.accounts.get(req.nick);
    const ban = st.accounts.banFor(req.nick) ?? st.accounts.banFor(s.ip);
    const decision = decideLogin(req, {
      registered: acct !== undefined,
      registeredOnly: st.cfg.registeredOnly,
      autoRegister: st.cfg.autoRegister,
      banned: ban?.reason,
    });
    if (decision.kind === 'refuse') return this.#refuse(s, decision.text);
    if (decision.kind === 'admit') return this.#admit(s, req);
    // Hashing runs off the event loop; commands pipelined behind the login wait.
    s.state = 'checking';
    s.conn.pause();
    const work =
      decision.kind === 'verify'
        ? st.accounts.verify(acct!, req.password)
        : st.accounts.register(req.nick, req.password, { email: req.email, fresh: true }).then(
            () => true,
            (err: unknown) => {
              // Another server of the cluster registered this nick a moment ago: a plain
              // login (2) with that password is the same user; a registration (6) is refused.
              const theirs = st.accounts.get(req.nick);
              if (!(err instanceof NetError && err.code === 'DUPLICATE') || req.register || !theirs) throw err;
              return st.accounts.verify(theirs, req.password);
            },
          );
    work.then(
      (ok) => {
        if (s.conn.closed) return;
        if (!ok) return this.#refuse(s, 'Invalid Password');
        this.#admit(s, req);
        s.conn.resume();
      },
      (err: unknown) => {
        st.log.warn(`napster: login of ${req.nick} failed: ${String(err)}`);
        if (!s.conn.closed) this.#refuse(s, err instanceof NetError ? err.message : 'login failed');
      },
    );
  }

  #admit(s: Session, req: LoginRequest): void {
    const st = this.state;
    const existing = st.online(req.nick);
    const remote = existing ? undefined : st.network.remote(req.nick);
    const ghost = decideGhost(req.nick, existing?.ip ?? remote?.ip, s.ip);
    if (typeof ghost === 'object') return this.#refuse(s, ghost.refuse);
    if (ghost === 'ghost' && remote) st.network.ghost(remote);
    if (ghost === 'ghost' && existing) st.ghost(existing, st.cfg.name, 'ghost: someone else logged in with this nick');
    this.#loginTimers.get(s)?.cancel();
    this.#loginTimers.delete(s);
    s.nick = req.nick;
    s.key = req.nick.toLowerCase();
    s.port = req.port;
    s.speed = req.speed;
    s.client = req.client;
    s.level = st.accounts.get(req.nick)?.level ?? C.LEVEL_USER;
    s.loginAt = this.#ctx.clock.now();
    s.state = 'online';
    s.conn.nick = req.nick;
    s.conn.handshakeDone();
    // 214 counts the users and files before this one joins (as recorded from 0.44).
    const stats = st.stats();
    st.attach(s);
    const batch = new FrameBatch().add(C.MSG_LOGIN_ACK, `anon@${st.cfg.name}`);
    st.motd(batch).add(C.MSG_SERVER_STATS, stats);
    s.sendRaw(batch.toBuffer());
    st.announceSignOn(s);
  }
}
