/**
 * The thin class that runs the chat protocol on one node (specs/chat.md): it owns the
 * connection group, the links and the timers; received lines go to the LinkProtocol,
 * floods to the Flooder and mesh upkeep to the Maintainer. Decisions come from the pure modules
 * (handshake.ts, policy.ts, mesh.ts, plain.ts); this class only carries them out.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { PeerInfo, PluginStatus } from '../../src/app-api.js';
import type { Timer } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import type { Connection } from '../../src/net/connection.js';
import type { ConnectionGroup, Listener } from '../../src/net/connection-group.js';
import type { HostCache } from '../../src/peers/host-cache.js';
import type { PluginContext } from '../../src/plugin.js';
import { parseHostPort } from '../../src/net/address.js';
import { nickSkeleton, shownNick, toGoodNick } from '../../src/nick.js';
import { encode, encodeLine } from './codec.js';
import { MAX_PEERS_PER_LINE, MSG_ID_BYTES, PEERS_ON_REFUSAL } from './constants.js';
import { Backpressure } from './backpressure.js';
import type { Discovery } from './discovery.js';
import type { ChatExtensions } from './extensions.js';
import { createExtras, startDiscovery } from './extras.js';
import type { NameService } from './names/name-service.js';
import { connectPinned } from './names/connect-name.js';
import type { NearMe } from './near-me.js';
import type { Identity } from './identity.js';
import type { Contacts } from './contacts.js';
import { SIG_OVERHEAD } from './signing.js';
import { cloudsOf, type CloudView } from './names/clouds.js';
import { Flooder } from './flooder.js';
import { ChatFrameDecoder, type ChatFrame } from './frame-decoder.js';
import { Link } from './link.js';
import { LinkProtocol } from './link-protocol.js';
import { Maintainer } from './maintainer.js';
import { LineEvents } from './line-events.js';
import { LinkTable } from './link-table.js';
import { armHandshake, keepAlive, type LivenessContext } from './link-liveness.js';
import { acceptLearned, peersToShare } from './mesh.js';
import { beginRun, endRun, LAST_RUN_FILE, type ChatRun } from './last-run.js';
import type { FloodMessage } from './messages.js';
import type { ResolvedChatOptions } from './options.js';
import { stripControls } from './text.js';

/** Grace the core's own handshake timer gives ours, so ours (which sends ERROR) fires first. */
const CORE_HANDSHAKE_BACKSTOP_MS = 1_000;
/** Characters of a `/quit` reason carried by PART (a line holds 16 KiB; a reason is short). */
const PART_REASON_MAX = 400;
/** The reason of the PART sent for our last run when it ended without one (last-run.ts). */
export const RESTARTED = 'restarted';
/** Least time between two dial plans triggered by PEERS lines. */
const LEARN_TICK_MS = 250;

/** One node's chat protocol: see the file comment. Created by createChatPlugin on start. */
export class ChatService {
  readonly #o: ResolvedChatOptions;
  readonly #ctx: PluginContext;
  #nick: string;
  /** Our last run from this data dir, when it ended without PART: sent with our JOIN. */
  #lastRun: ChatRun | undefined;
  readonly #group: ConnectionGroup<ChatFrame>;
  #listener: Listener | undefined;
  readonly #hosts: HostCache;
  readonly #flooder: Flooder;
  readonly #maintainer: Maintainer;
  #discovery: Discovery | undefined;
  readonly #table = new LinkTable();
  readonly #events: LineEvents;
  readonly #liveness: LivenessContext;
  #joined = false;
  #stopping = false;
  #pingTimer: Timer | undefined;
  #lastLearnTick = -Infinity;
  readonly #protocol: LinkProtocol;
  readonly #pressure: Backpressure;
  /** Signed lines and names (issue 14); undefined for a classic node. */
  readonly ext: ChatExtensions | undefined;
  /** Peer names (issue 14); undefined for a classic node. */
  readonly names: NameService | undefined;

  readonly contacts: Contacts;
  /** People Near Me, where discovery runs (near-me.ts). */
  near: NearMe | undefined;

  constructor(o: ResolvedChatOptions, ctx: PluginContext, hosts: HostCache, identity: Identity, contacts: Contacts) {
    this.contacts = contacts;
    this.#o = o;
    this.#ctx = ctx;
    this.#nick = o.nick ?? toGoodNick(ctx.nick, 'anon');
    this.#hosts = hosts;
    this.#events = new LineEvents(o.nodeId, ctx, contacts, () => this.#nick);
    this.#group = ctx.net.group<ChatFrame>({
      name: 'chat',
      decoder: () => new ChatFrameDecoder(o.maxLineBytes),
      handler: {
        onOpen: (c) => this.#onOpen(c),
        onMessage: (c, f) => this.#protocol.onFrame(c, f),
        onClose: (c, r) => this.#onClose(c, r),
        onRefused: (s, r) => this.#onRefused(s, r),
        onDrain: () => this.#pressure.drained(),
      },
      // The core admits pending links too; admission.ts shares the slots out (one spare
      // for the newcomer that makes us drop the oldest pending link).
      limits: { maxInbound: o.maxInbound + o.maxPending + 1, maxOutbound: o.maxOutbound, perIp: o.perIp },
      timeouts: { handshakeMs: o.handshakeMs + CORE_HANDSHAKE_BACKSTOP_MS, idleMs: 0 },
      queue: o.queue,
    });
    this.#flooder = new Flooder({
      node: o.nodeId,
      hops: o.hops,
      seenMax: o.seenMax,
      seenTtlMs: o.seenTtlMs,
      dupWindowMs: o.dupWindowMs,
      dupSlack: o.dupSlack,
      highWater: o.queue.highWater,
      clock: ctx.clock,
      links: () => this.#table.list,
      deliver: (d) => this.#events.deliver(d),
      deliverWire: (w, hops, from, now) => this.#events.deliverWire(w, hops, from, now),
      extended: (l) => this.ext?.isExtended(l) === true,
      nickTaken: (nick, now) => nickSkeleton(nick) === nickSkeleton(this.#nick) || this.#events.nicks.inUse(nick, now, this.#table.neighbourNicks()),
    });
    ({ ext: this.ext, names: this.names } = createExtras(o, ctx, identity, this.#flooder, () => this.#table.ready((l) => this.ext?.isExtended(l) === true), (l) => {
      // A link waiting for signature checks resumes unless backpressure still holds it.
      if (!this.#pressure.holds(l)) l.conn.resume();
    }));
    this.#pressure = new Backpressure(ctx.clock, o.slowLinkMs, () => this.#table.byConn.values());
    this.#protocol = new LinkProtocol({
      options: o,
      nick: () => this.#nick,
      listenPort: () => this.#listener?.port ?? null,
      clock: ctx.clock,
      log: ctx.log,
      flooder: this.#flooder,
      ...(this.ext ? { ext: this.ext } : {}),
      hosts,
      links: this.#table.byConn,
      byNode: this.#table.byNode,
      selfAddrs: this.#table.selfAddrs,
      learn: (a, from) => this.#learn(a, from),
      announce: (l) => this.#announce(l),
      resetBackoff: (a) => this.#maintainer.reset(a),
      throttle: (l) => this.#pressure.throttle(l),
      notice: (text) => this.#ctx.emit({ type: 'notice', protocol: 'chat', text }),
      found: (addr, node) => this.#table.found(addr, node),
      joined: () => {
        if (this.#joined) return;
        this.#joined = true;
        // Our last run ended without PART: send it now, so its nick is free for our JOIN (last-run.ts).
        const left = this.#lastRun;
        this.#lastRun = undefined;
        if (left) this.#originate({ type: 'PART', ...this.#head(), origin: left.node, nick: left.nick, text: RESTARTED }, false);
        this.#originate({ type: 'JOIN', ...this.#head() });
      },
    });
    this.#maintainer = new Maintainer({
      hosts,
      clock: ctx.clock,
      log: ctx.log,
      intervalMs: o.maintenanceMs,
      targetDegree: o.targetDegree,
      maxOutbound: o.maxOutbound,
      dial: async (addr) => (await this.#dial(addr)).handshake,
      view: () => ({ linked: this.#table.byNode.size, outbound: this.#group.count('out'), exclude: this.#table.inUse() }),
      linked: (addr) => this.#table.isLinked(addr),
    });
    this.#liveness = {
      options: o,
      clock: ctx.clock,
      links: () => this.#table.byConn.values(),
      sendHello: (l) => this.#protocol.sendHello(l),
      announce: (l) => this.#announce(l),
    };
  }

  get nick(): string {
    return this.#nick;
  }
  get nodeId(): string {
    return this.#o.nodeId;
  }

  async start(): Promise<void> {
    const o = this.#o;
    if (o.listen) this.#listener = await this.#group.listen(o.port, { ...(o.host !== undefined ? { host: o.host } : {}) });
    this.#lastRun = await beginRun(this.#ctx.dataDir, { node: o.nodeId, nick: this.#nick });
    this.#pingTimer = this.#ctx.clock.setInterval(() => keepAlive(this.#table.byConn.values(), o, this.#ctx.clock.now()), o.pingMs);
    // Peers the user named are pinned: the first failure is reported, then the maintainer
    // keeps dialling them with backoff until linked, and again whenever they are lost.
    connectPinned(o.connect, {
      names: this.names,
      stopping: () => this.#stopping,
      linked: () => this.#table.byNode.size > 0,
      later: (fn) => void this.#ctx.clock.setTimeout(fn, o.maintenanceMs),
      pinAndDial: (addr, label) => this.#pinAndDial(addr, label),
      note: (text) => this.#ctx.log.info(text),
    });
    if (o.discovery && this.#listener) {
      ({ discovery: this.#discovery, near: this.near } = await startDiscovery({ ...o, discovery: o.discovery }, this.#ctx, this.#listener.port, {
        ext: this.ext,
        contacts: this.contacts,
        nick: () => this.#nick,
        offer: (addr) => {
          if (!this.#table.inUse().has(addr)) this.#maintainer.offer(addr);
        },
        failed: (err) => this.#userError(err),
      }));
    }
    this.#maintainer.start();
  }

  /** Leaves the mesh (PART with `reason`, default "quit"), closes every link and timer, saves the host cache. */
  async stop(reason = 'quit'): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#maintainer.stop();
    this.names?.stop();
    this.#pingTimer?.cancel();
    this.#pressure.stop();
    if (this.near?.signedIn) this.near.signout();
    await this.#discovery?.stop();
    if (this.#joined) this.#originate({ type: 'PART', ...this.#head(), text: stripControls(reason).slice(0, PART_REASON_MAX) || 'quit' });
    for (const l of this.#table.byConn.values()) l.flush();
    await this.#group.close();
    await this.#hosts.save().catch((err: unknown) => this.#ctx.log.warn(`saving host cache: ${String(err)}`));
    await endRun(this.#ctx.dataDir).catch((err: unknown) => this.#ctx.log.warn(`removing ${LAST_RUN_FILE}: ${String(err)}`));
  }

  // ---- commands (called by index.ts) ----

  /** Sends a chat line (`kind` msg or action). */
  say(text: string, action = false): void {
    const m: FloodMessage = { type: action ? 'ACT' : 'MSG', ...this.#head(), text };
    if (Buffer.byteLength(encode(m)) + (this.#o.sign ? SIG_OVERHEAD : 0) > this.#o.maxLineBytes) throw NetError.usage(`message too long (a line holds ${this.#o.maxLineBytes} bytes)`);
    this.#originate(m);
  }

  /** Changes our nick; refused while another live node of the mesh uses it (README "Nicks"). */
  changeNick(newNick: string): void {
    const old = this.#nick;
    if (newNick === old) return;
    this.#events.nicks.check(newNick, this.#ctx.clock.now(), this.#table.neighbourNicks());
    this.#originate({ type: 'NICK', ...this.#head(), newNick });
    this.#nick = newNick;
    this.#ctx.emit({ type: 'nick', nick: newNick });
  }

  /** `/connect`: `connecting to addr` once TCP is up; when the handshake ends a notice (`tell`) or an error says how it went. */
  async connect(addr: string, tell = true): Promise<string> {
    if (!parseHostPort(addr)) throw NetError.usage(`not a host:port address: ${addr}`);
    this.#hosts.add(addr);
    const { link, handshake } = await this.#dial(addr);
    const told = (): void => void (tell && this.#ctx.emit({ type: 'notice', protocol: 'chat', text: link.dialledWords(addr, [...this.#table.byNode.values()].find((l) => l.listenAddr === addr)) }));
    handshake.then(told, (err: unknown) => (err instanceof NetError && err.code === 'DUPLICATE' ? told() : this.#userError(err, addr)));
    return `connecting to ${addr}`;
  }

  peers(): PeerInfo[] {
    const now = this.#ctx.clock.now();
    return [...this.#table.byConn.values()].map((l) => l.info(now));
  }

  /** `/clouds`: Global and the LinkLocal cloud of the discovery interface (names/clouds.ts). */
  clouds(): CloudView[] {
    const peerIps = [...this.#table.byNode.values()].map((l) => l.conn.remoteAddress);
    return cloudsOf(this.names, this.#ctx.clock.now(), peerIps, this.#discovery ? this.#o.discovery?.interface : null);
  }

  /** `/identity`: who we are and what the signature checks dropped. */
  identityLines(): string[] {
    return this.ext ? this.ext.describe() : ['this node speaks the classic chat protocol only (no identity in use)'];
  }

  status(): PluginStatus {
    return { ports: this.#listener ? { chat: this.#listener.port } : {}, peers: this.#table.chatting() };
  }

  // ---- links ----

  async #dial(addr: string): Promise<{ conn: Connection<ChatFrame>; link: Link; handshake: Promise<void> }> {
    const hp = parseHostPort(addr);
    if (!hp) throw NetError.usage(`not a host:port address: ${addr}`);
    const conn = await this.#group.dial(hp.host, hp.port, { timeoutMs: this.#o.dialMs });
    const link = this.#table.byConn.get(conn);
    if (!link) throw conn.closeReason ?? NetError.closed();
    link.dialAddr = addr;
    const handshake = new Promise<void>((resolve, reject) => {
      link.settle = (err) => (err ? reject(err) : resolve());
    });
    return { conn, link, handshake };
  }

  #onOpen(conn: Connection<ChatFrame>): void {
    const link = new Link(conn, this.#ctx.clock.now());
    this.#table.add(link);
    armHandshake(link, this.#liveness);
  }

  #onClose(conn: Connection<ChatFrame>, reason: NetError | undefined): void {
    const link = this.#table.remove(conn);
    if (!link) return;
    link.cancelTimers();
    this.#flooder.forget(link);
    this.#pressure.forget(link);
    this.ext?.forget(link);
    link.settle?.(reason ?? NetError.closed());
    link.settle = undefined;
    if (link.announced) {
      const why = reason ? `${reason.code}: ${reason.message}` : 'closed';
      this.#ctx.emit({ type: 'peer.down', protocol: 'chat', address: conn.address, direction: conn.direction, reason: why });
    }
    // Route around a lost neighbour: the nodes it told us about are the best way back. A duplicate
    // closed on purpose lost none (and its node's address is not yet marked as linked: no dial now).
    const lost = !this.#stopping && reason?.code !== 'DUPLICATE';
    if (lost && link.state === 'ready') this.#maintainer.reconnect(link.advertised);
    else if (lost && this.#table.byNode.size < this.#o.minDegree) this.#maintainer.tick();
  }

  /** Over a limit: tell the refused node why and where else to go (spec "Mesh maintenance"). */
  #onRefused(socket: Socket, reason: NetError): void {
    const live = this.#table.listenAddrs();
    const addresses = peersToShare(live, this.#hosts.pick(PEERS_ON_REFUSAL), undefined, PEERS_ON_REFUSAL);
    socket.write(encodeLine({ type: 'PEERS', addresses }) + encodeLine({ type: 'ERROR', reason: `${reason.code}: ${reason.message}` }));
  }

  #learn(addresses: string[], fromIp: string): void {
    let fresh = false;
    for (const a of addresses.slice(0, MAX_PEERS_PER_LINE)) {
      if (this.#table.selfAddrs.has(a) || !acceptLearned(a, fromIp)) continue;
      if (!this.#hosts.has(a)) fresh = true;
      this.#hosts.add(a);
    }
    // New addresses while short of links: dial now rather than at the next tick, but a
    // neighbour spraying PEERS lines cannot make us re-plan more than a few times a second.
    const now = this.#ctx.clock.now();
    if (fresh && this.#table.byNode.size < this.#o.targetDegree && now - this.#lastLearnTick >= LEARN_TICK_MS) {
      this.#lastLearnTick = now;
      this.#maintainer.tick();
    }
  }

  #announce(link: Link): void {
    if (link.announced) return;
    link.announced = true;
    const nick = link.state === 'ready' ? link.nick : undefined;
    this.#ctx.emit({ type: 'peer.up', protocol: 'chat', address: link.conn.address, direction: link.conn.direction, ...(nick ? { nick: shownNick(nick) } : {}) });
  }

  /** Keeps a link to `addr` (the maintainer re-dials it with backoff until linked) and dials it now; `label` names it in errors. */
  #pinAndDial(addr: string, label: string): void {
    this.#maintainer.pin(addr);
    void this.connect(addr, false).catch((err: unknown) => this.#userError(err, label, 'will keep trying'));
  }

  /** Floods one of our own messages, signed when `--sign` is on. */
  #originate(m: FloodMessage, show = true): void {
    this.#flooder.originate(this.ext ? this.ext.own(m) : m, show);
  }

  /** The header of a message we originate. */
  #head(): { id: string; hopsLeft: number; origin: string; at: number; nick: string } {
    return { id: randomBytes(MSG_ID_BYTES).toString('hex'), hopsLeft: this.#o.hops, origin: this.#o.nodeId, at: this.#ctx.clock.now(), nick: this.#nick };
  }

  #userError(err: unknown, addr?: string, then?: string): void {
    const msg = err instanceof NetError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    this.#ctx.emit({ type: 'error', protocol: 'chat', message: `${addr ? `${addr}: ` : ''}${msg}${then ? ` (${then})` : ''}` });
  }
}
