/**
 * One Napster server's membership of a cluster (issue 15): the NATS link, the
 * heartbeats that say which servers live, the users and channel members they
 * announce, and the ServerNetwork seams the server calls: searches scattered
 * to every live server and merged before one 202, commands for a user on
 * another server run there, hotlist and channel events relayed, 214 counting
 * the whole network. When NATS is unreachable the server serves its own users
 * alone (and says so); the client library reconnects and the server rejoins.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect, credsAuthenticator, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Clock, Timer } from '../../../../src/clock.js';
import type { Logger } from '../../../../src/log.js';
import { FrameBatch } from '../../codec.js';
import * as C from '../../constants.js';
import { parseSearch } from '../../search-query.js';
import { HANDLERS } from '../dispatch.js';
import type { CutOff, NetworkTotals, RemoteMember, RemoteUser, ServerNetwork } from '../server-network.js';
import type { ServerState } from '../server-state.js';
import { Session } from '../session.js';
import { ClusterAccounts } from './cluster-accounts.js';
import { LostUsers } from './cluster-lost.js';
import { localSearch, queueLimit } from './cluster-answers.js';
import { arrived, gone, onChanEvent, onGhost, onUserEvent, settleClash, statePage } from './cluster-events.js';
import { BEAT_MS, ClusterDirectory } from './cluster-directory.js';
import { mergeResults, splitFrames, withoutEnd } from './cluster-frames.js';
import * as M from './cluster-messages.js';
import type { ClusterOptions } from './cluster-options.js';
import { targetOf } from './cluster-routing.js';
import { ProxySession } from './proxy-session.js';

/** How long a scattered search waits for the other servers (then answers with what came). */
export const SEARCH_DEADLINE_MS = 1_500;
/** How long a command forwarded to another server may take. */
const CMD_TIMEOUT_MS = 3_000;
/** Pages of users fetched from one server (STATE_PAGE_USERS each). */
const STATE_PAGES_MAX = 200;
/** When a server that cannot reach NATS at start-up says it serves alone. */
const FIRST_CONNECT_NOTICE_MS = 5_000;
/** How long stop() lets pending messages go out. */
const DRAIN_MS = 2_000;

export interface ClusterHost {
  log: Logger;
  clock: Clock;
  /** A notice to the UI (the napster tab, headless events). */
  notify(text: string): void;
}


const enc = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v), 'utf8');

export class ClusterNode implements ServerNetwork {
  readonly id = randomBytes(6).toString('hex');
  readonly dir = new ClusterDirectory(this.id);
  readonly #subj: M.Subjects;
  readonly #accounts: ClusterAccounts;
  #nc: NatsConnection | undefined;
  #connected = false;
  /** Since when the cluster cannot be reached (from start until the first connect, and after a disconnect). */
  #downSince: number;
  /** Where the other servers' users were when the link went down. */
  readonly lost = new LostUsers();
  #stopped = false;
  #beatTimer: Timer | undefined;
  #firstTimer: Timer | undefined;
  readonly #subs: Subscription[] = [];

  constructor(
    readonly st: ServerState,
    readonly opts: ClusterOptions,
    readonly host: ClusterHost,
  ) {
    this.#subj = M.subjects(opts.name);
    this.#accounts = new ClusterAccounts(`napster-${opts.name}-accounts`, st.accounts, host.log);
    this.#downSince = host.clock.now();
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Starts connecting in the background: the server serves its own users meanwhile. */
  async start(): Promise<void> {
    const creds = this.opts.credsFile ? await readFile(this.opts.credsFile) : undefined;
    this.#beatTimer = this.host.clock.setInterval(() => this.#tick(), BEAT_MS);
    this.#firstTimer = this.host.clock.setTimeout(() => {
      if (!this.#nc) this.#say(`cluster: NATS (${this.opts.urls.join(', ')}) is unreachable; serving local users alone until it answers`);
    }, FIRST_CONNECT_NOTICE_MS);
    connect({
      servers: this.opts.urls,
      name: `peerdeck-napster-${this.st.cfg.name}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      waitOnFirstConnect: true,
      pingInterval: 5_000,
      maxPingOut: 2,
      ...(creds ? { authenticator: credsAuthenticator(new Uint8Array(creds)) } : {}),
    }).then(
      (nc) => this.#onConnected(nc),
      (err: unknown) => this.#say(`cluster: cannot connect to NATS (${String(err)}); serving local users alone`),
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#beatTimer?.cancel();
    this.#firstTimer?.cancel();
    this.#accounts.close();
    const nc = this.#nc;
    if (!nc || nc.isClosed()) return;
    if (this.#connected) nc.publish(this.#subj.bye, enc({ id: this.id }));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_MS)));
    await Promise.race([nc.drain().catch(() => undefined), late]);
    clearTimeout(timer);
    if (!nc.isClosed()) await nc.close().catch(() => undefined);
  }

  // ---- ServerNetwork -------------------------------------------------------

  intercept(s: Session, type: number, text: string): boolean {
    if (!this.#connected || this.dir.servers.size === 0) return false;
    if (type === C.MSG_SEARCH) {
      this.#search(s, text);
      return true;
    }
    const t = targetOf(type, text);
    if (!t || this.st.online(t.nick)) return false;
    const remote = this.dir.user(t.nick);
    if (!remote) return false;
    this.#forward(s, remote, type, text, t.senderPath);
    return true;
  }

  remote(nick: string): RemoteUser | undefined {
    return this.#connected ? this.dir.user(nick) : undefined;
  }

  totals(): NetworkTotals {
    return this.#connected ? this.dir.totals() : { users: 0, files: 0, bytes: 0 };
  }

  prepareLogin(nick: string): Promise<void> {
    return this.#connected ? this.#accounts.refresh(nick) : Promise.resolve();
  }

  ghost(user: RemoteUser): void {
    this.#publish(this.#subj.server(user.server, 'ghost'), { nick: user.nick, by: this.st.cfg.name });
  }

  signedOn(s: Session): void {
    this.#publish(this.#subj.user, { op: 'on', user: this.#remoteOf(s) });
  }

  signedOff(s: Session): void {
    this.#publish(this.#subj.user, { op: 'off', user: this.#remoteOf(s) });
  }

  channelJoined(channel: string, s: Session): void {
    this.#publish(this.#subj.chan, { server: this.id, op: 'join', channel, member: memberOf(s) });
  }

  channelParted(channel: string, s: Session): void {
    this.#publish(this.#subj.chan, { server: this.id, op: 'part', channel, member: memberOf(s) });
  }

  channelSaid(channel: string, s: Session, type: number, body: string): void {
    this.#publish(this.#subj.chan, { server: this.id, op: 'say', channel, member: memberOf(s), type, body });
  }

  channelMembers(channel: string): RemoteMember[] {
    return this.#connected ? this.dir.members(channel) : [];
  }

  cutOff(nick: string): CutOff | undefined {
    if (this.#connected || this.#stopped) return undefined;
    const server = this.lost.serverOf(nick);
    return server === undefined ? { since: this.#downSince } : { since: this.#downSince, lastServer: server };
  }

  /** Since when the cluster cannot be reached; undefined while connected. */
  get downSince(): number | undefined {
    return this.#connected ? undefined : this.#downSince;
  }

  // ---- link ----------------------------------------------------------------

  #say(text: string): void {
    this.host.log.info(`napster ${text}`);
    this.host.notify(text);
  }

  #publish(subject: string, body: unknown): void {
    if (!this.#connected || !this.#nc) return;
    try {
      this.#nc.publish(subject, enc(body));
    } catch (err) {
      this.host.log.debug(`napster cluster: publish ${subject}: ${String(err)}`);
    }
  }

  #remoteOf(s: Session): RemoteUser {
    return { nick: s.nick, server: this.id, ip: s.ip, ipNum: s.ipNum, port: s.port, speed: s.speed, shared: s.shared, at: s.loginAt };
  }

  async #onConnected(nc: NatsConnection): Promise<void> {
    if (this.#stopped) {
      await nc.close();
      return;
    }
    this.#nc = nc;
    const S = this.#subj;
    const on = (subject: string, fn: (m: Msg) => void): void => {
      this.#subs.push(
        nc.subscribe(subject, {
          callback: (err, m) => {
            if (err) return;
            try {
              fn(m);
            } catch (e) {
              this.host.log.warn(`napster cluster: ${subject}: ${String(e)}`);
            }
          },
        }),
      );
    };
    on(S.beat, (m) => this.#onBeat(M.parseBody(m.data)));
    on(S.bye, (m) => {
      const b = M.parseBody(m.data);
      if (M.isBye(b)) gone(this.st, this.dir.dropServer(b.id));
    });
    on(S.user, (m) => onUserEvent(this.st, this.dir, this.id, M.parseBody(m.data)));
    on(S.chan, (m) => onChanEvent(this.st, this.dir, this.id, M.parseBody(m.data)));
    on(S.server(this.id, 'cmd'), (m) => this.#onCmd(m));
    on(S.server(this.id, 'search'), (m) => this.#onSearchRequest(m));
    on(S.server(this.id, 'state'), (m) => {
      const req = M.parseBody(m.data);
      m.respond(enc(statePage(this.st, this.id, M.isStateRequest(req) ? req.page : 0)));
    });
    on(S.server(this.id, 'ghost'), (m) => onGhost(this.st, M.parseBody(m.data)));
    this.#connected = true;
    this.lost.clear();
    this.#say(`cluster: joined ${this.opts.name} through ${nc.getServer()}`);
    this.#beat();
    void this.#watchStatus(nc);
    await this.#openAccounts(nc);
  }

  async #openAccounts(nc: NatsConnection): Promise<void> {
    try {
      await this.#accounts.open(nc);
      await this.#accounts.upload([...this.st.accounts.all()]);
    } catch (err) {
      this.#say(`cluster: no JetStream key-value store (${String(err)}); accounts stay on this server`);
    }
  }

  async #watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' && this.#connected) {
        this.#connected = false;
        this.#downSince = this.host.clock.now();
        const names = new Map([...this.dir.servers.values()].map((p) => [p.id, p.name]));
        const departed = this.dir.clear();
        this.lost.remember(departed.users, names);
        gone(this.st, departed);
        this.#say('cluster: NATS is unreachable; serving local users alone until it is back');
      } else if (s.type === 'reconnect' && !this.#connected) {
        this.#connected = true;
        this.lost.clear();
        this.#say(`cluster: rejoined ${this.opts.name} through ${nc.getServer()}`);
        // What we published while away was lost, and a server that did not miss enough of our
        // beats to drop us still holds our users as they were: it forgets them (210, 407) and
        // fetches them afresh at our next beat (209, 406), as OpenNap servers do on a relink.
        this.#publish(this.#subj.bye, { id: this.id });
        this.#beat();
      }
    }
  }

  #tick(): void {
    if (!this.#connected) return;
    this.#beat();
    gone(this.st, this.dir.expire(this.host.clock.now()));
  }

  #beat(): void {
    const beat: M.Beat = { id: this.id, name: this.st.cfg.name, users: this.st.users.size, files: this.st.index.size, bytes: this.st.index.totalBytes };
    this.#publish(this.#subj.beat, beat);
  }

  #onBeat(b: unknown): void {
    if (!M.isBeat(b) || !this.#connected) return;
    if (this.dir.beat(b, this.host.clock.now())) void this.#fetchState(b.id);
  }

  async #fetchState(id: string): Promise<void> {
    const nc = this.#nc;
    if (!nc) return;
    try {
      for (let page = 0; page < STATE_PAGES_MAX; page++) {
        const reply = M.parseBody((await nc.request(this.#subj.server(id, 'state'), enc({ page }), { timeout: CMD_TIMEOUT_MS })).data);
        if (!M.isStateReply(reply)) return;
        for (const u of reply.users) settleClash(this.st, this.dir, this.id, u);
        arrived(this.st, this.dir.sync(id, reply.users, reply.channels));
        if (!reply.more) return;
      }
    } catch (err) {
      this.host.log.debug(`napster cluster: state of ${id}: ${String(err)}`);
    }
  }

  // ---- commands across servers -------------------------------------------

  #forward(s: Session, to: RemoteUser, type: number, text: string, senderPath: string | undefined): void {
    const nc = this.#nc!;
    const from: M.Sender = {
      server: this.id,
      nick: s.nick,
      ip: s.ip,
      port: s.port,
      speed: s.speed,
      level: s.level,
      shares: senderPath !== undefined && s.files?.has(senderPath) ? [senderPath] : [],
      size: 0,
    };
    const slot = senderPath === undefined ? undefined : s.files?.get(senderPath);
    if (slot !== undefined) from.size = this.st.index.get(slot)?.size ?? 0;
    nc.request(this.#subj.server(to.server, 'cmd'), enc({ from, type, text }), { timeout: CMD_TIMEOUT_MS }).then(
      (m) => {
        if (s.online && m.data.length > 0 && splitFrames(Buffer.from(m.data))) s.sendRaw(Buffer.from(m.data));
      },
      (err: unknown) => {
        this.host.log.debug(`napster cluster: ${type} for ${to.nick}: ${String(err)}`);
        // Not "offline": the user's server did not answer (stopped, or too slow); say what is known.
        const where = this.dir.servers.get(to.server)?.name ?? to.server;
        if (s.online) this.st.notice(s, `${to.nick} is on server ${where}, which did not answer; whether they are still online is unknown`);
      },
    );
  }

  #onCmd(m: Msg): void {
    const req = M.parseBody(m.data);
    if (!M.isCmdRequest(req) || !targetOf(req.type, req.text)) return void m.respond(new Uint8Array(0));
    const handler = HANDLERS.get(req.type);
    if (!handler) return void m.respond(new Uint8Array(0));
    const proxy = new ProxySession(req.from);
    if (req.type === C.MSG_QUEUE_LIMIT) queueLimit(this.st, proxy, req.from.size, req.text);
    else handler(this.st, proxy, req.text);
    m.respond(proxy.replies());
  }

  #search(s: Session, text: string): void {
    const parsed = parseSearch(text);
    const servers = [...this.dir.servers.keys()];
    const { slot, firewalled } = s;
    if (!parsed.ok || servers.length === 0) return s.sendRaw(localSearch(this.st, this.id, text, slot, firewalled));
    const nc = this.#nc!;
    const body = enc({ text, firewalled });
    const asks = servers.map((id) =>
      nc.request(this.#subj.server(id, 'search'), body, { timeout: SEARCH_DEADLINE_MS }).then(
        (r) => Buffer.from(r.data),
        () => undefined,
      ),
    );
    // The requests leave with this tick's flush; this server searches its own index meanwhile.
    const mine = new Promise<Buffer | undefined>((resolve) => setImmediate(() => resolve(s.online ? localSearch(this.st, this.id, text, slot, firewalled) : undefined)));
    void Promise.all([mine, Promise.all(asks)]).then(([local, answers]) => {
      if (!s.online || !local) return;
      const own = splitFrames(withoutEnd(local)) ?? [];
      const got: Buffer[] = [];
      for (const a of answers) if (a) got.push(a);
      s.sendRaw(mergeResults(own, got, parsed.search.max));
    });
  }

  #onSearchRequest(m: Msg): void {
    const req = M.parseBody(m.data);
    if (!M.isSearchRequest(req)) return void m.respond(new Uint8Array(0));
    m.respond(withoutEnd(localSearch(this.st, this.id, req.text, -1, req.firewalled)));
  }
}

function memberOf(s: Session): RemoteMember {
  return { nick: s.nick, shared: s.shared, speed: s.speed };
}
