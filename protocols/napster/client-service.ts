import type { AppEvent } from '../../src/app-api.js';
import { NetError, toNetError } from '../../src/errors.js';
import type { Connection } from '../../src/net/connection.js';
import type { ConnectionGroup } from '../../src/net/connection-group.js';
import { parseHostPort } from '../../src/net/address.js';
import type { PluginContext } from '../../src/plugin.js';
import { NapsterChat } from './client-chat.js';
import * as C from './client-constants.js';
import * as W from './constants.js';
import { DataPortService } from './client-data-port-service.js';
import { DirectBrowse } from './client-direct-browse.js';
import { NapsterFiles, type NapsterHit, type NapsterRef } from './client-files.js';
import { ServerLink } from './client-link.js';
import { checkNick, type LoginIdentity } from './client-login.js';
import type { NapSearchSpec } from './client-search-query.js';
import type { ServerMessage } from './client-server-messages.js';
import { ShareSync } from './client-share-sync.js';
import type { NapFrame } from './codec.js';
import { NapFrameDecoder } from './frame-decoder.js';

/** How the client is set up (`--napster`, `--napster-password-file`, `--napster-data-port`, ...). */
export interface NapsterClientOptions {
  /** `host:port` servers to log in to at start-up. */
  servers: string[];
  /** The password (from --napster-password-file); without one it is asked for once (prompt.secret) before the first login. */
  password?: string;
  /** Nick on Napster servers (default: the node's nick, made valid). */
  nick?: string;
  /** Our data port: undefined = none (firewalled), 0 = any free port. */
  dataPort?: number;
  dataHost?: string;
  /** Link speed 0-10 (§3.1). */
  speed?: number;
  email?: string;
  /** The queue limit we tell downloaders in 619. */
  queueLimit?: number;
  /** Share at most this many files per server (the server's limit, 5,000). */
  maxShares?: number;
  timeouts?: Partial<C.ClientTimeouts>;
  /** Whether others may browse our list directly (640/641, default yes). */
  directBrowse?: boolean;
}

/**
 * The Napster client (issue 13): sessions with any number of OpenNap
 * servers, the share list kept in sync with the library, searches and
 * downloads through the transfer engine, uploads from our data port, chat.
 * It owns the connection groups and carries out what the pure parts decide.
 */
export class NapsterClient {
  readonly files: NapsterFiles;
  readonly chat: NapsterChat;
  readonly browse: DirectBrowse;
  readonly #o: NapsterClientOptions;
  readonly #ctx: PluginContext;
  readonly #links = new Map<string, ServerLink>();
  readonly #byConn = new Map<Connection<NapFrame>, ServerLink>();
  /** Sessions announced by `peer.up`: each gets one `peer.down` when it ends, none else do (a failed redial is no link going down). */
  readonly #up = new Set<ServerLink>();
  readonly #group: ConnectionGroup<NapFrame>;
  readonly #data: DataPortService;
  readonly #unsubscribe: Array<() => void> = [];
  readonly #timeouts: C.ClientTimeouts;
  /** Our share list on each server. */
  readonly #shares: ShareSync;
  #nick: string;
  #password: string | undefined;
  /** A prompt for the password is out. */
  #asking = false;
  /** Sessions that wait for the password before they dial. */
  readonly #awaitingPassword = new Set<ServerLink>();
  #stopped = false;

  constructor(ctx: PluginContext, opts: NapsterClientOptions) {
    this.#ctx = ctx;
    this.#o = opts;
    this.#nick = opts.nick ?? validNick(ctx.nick);
    this.#group = ctx.net.group<NapFrame>({
      name: 'napster-client',
      decoder: () => new NapFrameDecoder(),
      handler: {
        onMessage: (conn, frame) => this.#byConn.get(conn)?.onFrame(frame),
        onClose: (conn, reason) => {
          const link = this.#byConn.get(conn);
          this.#byConn.delete(conn);
          link?.onClose(reason);
        },
        // The session went quiet: ask the server for a 214, or give up on it when the last ask went unanswered.
        onTimeout: (conn) => this.#byConn.get(conn)?.onSilence() === true,
      },
      limits: { maxOutbound: 64 },
      timeouts: { handshakeMs: 0, idleMs: { ...C.DEFAULT_TIMEOUTS, ...opts.timeouts }.silenceMs },
    });
    this.#timeouts = { ...C.DEFAULT_TIMEOUTS, ...opts.timeouts };
    this.#data = new DataPortService(
      ctx.net,
      ctx.clock,
      ctx.log.child('data'),
      { serveGet: (req, socket) => this.files.serveGet(req, socket), serveList: (socket) => this.browse.serveList(this.links.find((l) => l.online), socket) },
      this.#timeouts,
    );
    this.browse = new DirectBrowse({
      data: this.#data,
      log: ctx.log,
      nick: () => this.#nick,
      shareLines: (link) => this.#shares.lines(link),
      allow: opts.directBrowse !== false,
      notice: (text) => this.notice(text),
      timeoutMs: this.#timeouts.queryMs,
    });
    this.files = new NapsterFiles({
      share: ctx.share,
      transfers: ctx.transfers,
      data: this.#data,
      clock: ctx.clock,
      log: ctx.log,
      nick: () => this.#nick,
      link: (key) => this.#links.get(key),
      notice: (text) => this.notice(text),
      queueLimit: opts.queueLimit ?? 8,
      timeouts: this.#timeouts,
    });
    this.chat = new NapsterChat(ctx, () => this.#nick, (text) => this.notice(text));
    this.#shares = new ShareSync({
      share: ctx.share,
      clock: ctx.clock,
      log: ctx.log,
      dataDir: ctx.dataDir,
      maxShares: opts.maxShares ?? W.MAX_SHARES,
      notice: (text) => this.notice(text),
    });
  }

  get nick(): string {
    return this.#nick;
  }

  get dataPort(): number {
    return this.#data.port;
  }

  get links(): ServerLink[] {
    return [...this.#links.values()];
  }

  async start(): Promise<void> {
    const bad = checkNick(this.#nick);
    if (bad) throw NetError.usage(`napster nick ${this.#nick}: ${bad}`);
    this.#password = this.#o.password;
    if (this.#o.dataPort !== undefined) await this.#data.listen(this.#o.dataPort, this.#o.dataHost);
    // After a scan, new files are announced at once (NOMD5COMPUTED until hashed, as TekNap does);
    // once their hashing has ended (share.hashed, after every scan) they are announced again with their md5.
    this.#unsubscribe.push(this.#ctx.share.subscribe((e) => (e.type === 'share.ready' || (e.type === 'share.hashed' && e.hashed > 0)) && this.#syncAll()));
    for (const s of this.#o.servers) this.login(s);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const u of this.#unsubscribe) u();
    for (const l of this.#links.values()) {
      l.stop('shutting down');
      this.#wentDown(l, 'shutting down');
    }
    this.files.stop();
    await this.#data.stop();
    await this.#group.close();
    await this.#shares.close();
  }

  /** `/nlogin host:port [nick]`: starts (or restarts) a session; the result comes as events. */
  login(server: string, nick?: string): ServerLink {
    const hp = parseHostPort(server);
    if (!hp) throw NetError.usage(`not a host:port: ${server}`);
    if (nick !== undefined) {
      const bad = checkNick(nick);
      if (bad) throw NetError.usage(bad);
      this.#nick = nick;
    }
    const key = `${hp.host}:${hp.port}`;
    const old = this.#links.get(key);
    if (old && old.state !== 'stopped' && nick === undefined) return old;
    old?.stop('logging in again');
    const link = new ServerLink(hp.host, hp.port, () => this.#identity(), {
      dial: async (host, port) => {
        const conn = await this.#group.dial(host, port, { timeoutMs: C.CONNECT_TIMEOUT_MS });
        this.#byConn.set(conn, link);
        return conn;
      },
      online: (l) => this.#online(l),
      message: (l, m) => this.#message(l, m),
      down: (l, reason, retryMs) => {
        this.#shares.forget(l);
        this.#wentDown(l, reason);
        this.notice(`${l.key}: ${reason}${retryMs === undefined ? '' : `; reconnecting in ${Math.round(retryMs / 1000)} s`}`);
      },
    }, this.#ctx.clock, this.#ctx.log.child(key), this.#timeouts);
    this.#links.set(key, link);
    if (this.#password === undefined) {
      this.#awaitingPassword.add(link);
      this.#askPassword();
    } else link.start();
    return link;
  }

  /** `/nlogout [host:port]`: ends one session (or all); no reconnect. */
  logout(server?: string): string[] {
    const targets = server === undefined ? [...this.#links.values()] : [this.#links.get(server)].filter((l): l is ServerLink => l !== undefined);
    if (targets.length === 0) throw NetError.notFound(server ? `no session with ${server}` : 'not logged in anywhere');
    for (const l of targets) {
      l.stop();
      this.#wentDown(l, 'logged out');
      this.#links.delete(l.key);
      this.#shares.forget(l);
    }
    return targets.map((l) => `logged out of ${l.key}`);
  }

  /** The session commands go to: the one named, else the first online one. */
  current(server?: string): ServerLink {
    const l = server ? this.#links.get(server) : [...this.#links.values()].find((x) => x.online);
    if (!l?.online) throw NetError.closed(server ? `not logged in to ${server}` : 'not logged in to any Napster server (/nlogin host:port)');
    return l;
  }

  /**
   * Searches every logged-in server, and every server whose login is under
   * way once it ends (a `/search` typed at start-up used to end at once with
   * 0 hits while the login was still running); resolves with how many were asked.
   */
  async search(spec: NapSearchSpec, sink: (hit: NapsterHit) => void, signal: AbortSignal): Promise<{ peers: number }> {
    const links = [...this.#links.values()].filter((l) => l.state !== 'offline' && l.state !== 'stopped');
    if (links.length === 0) this.notice(`search: not logged in to any Napster server (${this.#links.size ? '/nservers says why' : '/nlogin host:port'})`);
    let asked = 0;
    await Promise.all(
      links.map(async (l) => {
        try {
          await l.whenOnline(signal);
        } catch {
          return; // the login failed or was given up: the link says why
        }
        asked++;
        await this.files.search(l, spec, sink, signal).catch((err: unknown) => {
          if (!signal.aborted) this.notice(`search on ${l.key}: ${toNetError(err).message}`);
        });
      }),
    );
    return { peers: asked };
  }

  /** `/ndbrowse nick`: the user's list straight from their client (640/641, §6.2), as hits. */
  async directBrowse(nick: string, sink: (hit: NapsterHit) => void, signal: AbortSignal): Promise<number> {
    const link = this.current();
    const list = await this.browse.request(link, nick, signal);
    if (!list.complete) this.notice(`${nick}'s list ended early: ${list.files.length} files received`);
    for (const f of list.files) sink(this.files.hit(link, f, list.nick, 0));
    return list.files.length;
  }

  source(ref: NapsterRef): ReturnType<NapsterFiles['source']> {
    return this.files.source(ref);
  }

  #wentDown(link: ServerLink, reason: string): void {
    if (this.#up.delete(link)) this.#ctx.emit({ type: 'peer.down', protocol: 'napster', address: link.key, direction: 'out', reason });
  }

  notice(text: string): void {
    this.#ctx.emit({ type: 'notice', protocol: 'napster', text });
  }

  emit(e: AppEvent): void {
    this.#ctx.emit(e);
  }

  #identity(): LoginIdentity {
    return {
      nick: this.#nick,
      password: this.#password ?? '',
      dataPort: this.#data.port,
      speed: this.#o.speed ?? C.DEFAULT_LINK_SPEED,
      email: this.#o.email ?? `${this.#nick}@peerdeck.invalid`,
      clientInfo: C.CLIENT_INFO,
    };
  }

  #online(link: ServerLink): void {
    this.#up.add(link);
    this.#ctx.emit({ type: 'peer.up', protocol: 'napster', address: link.key, direction: 'out', nick: this.#nick });
    this.notice(`logged in to ${link.key} as ${this.#nick}${this.#data.port ? `, data port ${this.#data.port}` : ', firewalled (no data port)'}`);
    this.#shares.sync(link);
    this.chat.onOnline(link);
  }

  #syncAll(): void {
    if (this.#stopped) return;
    for (const l of this.#links.values()) this.#shares.sync(l);
  }

  #message(link: ServerLink, msg: ServerMessage): void {
    switch (msg.kind) {
      case 'upload-request':
        void this.files.onUploadRequest(link, msg.nick, msg.wirePath).catch((err: unknown) => this.#ctx.log.warn(`607: ${String(err)}`));
        return;
      case 'push-request':
        void this.files.onPushRequest(link, msg.peer);
        return;
      case 'direct-browse-request':
        this.browse.onRequest(link, msg);
        return;
      case 'ghost':
        link.noteGhost();
        this.notice(`${link.key}: someone else logged in as ${this.#nick}; not reconnecting`);
        return;
      default:
        this.chat.onMessage(link, msg);
    }
  }

  /** Asks for the password once (prompt.secret); logins wait for it. */
  #askPassword(): void {
    if (this.#asking) return;
    this.#asking = true;
    this.#ctx.emit({
      type: 'prompt.secret',
      plugin: 'napster',
      command: 'npassword',
      prompt: `Napster password for ${this.#nick}`,
      hint: 'start with --napster-password-file FILE (its first line is the password)',
    });
  }

  /**
   * The answer to the prompt (`/npassword`, sent by the TUI from a hidden
   * line): kept in memory only, never logged or echoed; the logins that
   * waited for it start. None (declined) cancels them with a notice.
   */
  setPassword(secret: string | undefined): string[] {
    this.#asking = false;
    const waiting = [...this.#awaitingPassword];
    this.#awaitingPassword.clear();
    if (secret === undefined || secret === '' || /[\s"]/.test(secret)) {
      for (const l of waiting) {
        l.stop('no password');
        this.#links.delete(l.key);
      }
      const why = secret ? 'a Napster password is one word without spaces or quotes' : 'no Napster password given';
      return [`${why}: not logging in (/nlogin asks again, or start with --napster-password-file FILE)`];
    }
    this.#password = secret;
    for (const l of waiting) l.start();
    return waiting.length ? [`password taken; logging in to ${waiting.map((l) => l.key).join(', ')}`] : ['password taken'];
  }

}

/** The node's nick made into a valid Napster nick (§3.2 rule 2). */
export function validNick(nick: string): string {
  const clean = nick.replace(/[^\x21-\x7e]|[%$*?.!",\\]/g, '').replace(/^[#&:-]+/, '').slice(0, 19);
  return checkNick(clean) === undefined ? clean : `peerdeck${Math.floor(Math.random() * 10_000)}`;
}
