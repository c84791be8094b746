/**
 * The thin class that runs the chat protocol on one node (specs/chat.md): it owns the
 * connection group, walks each link through HELLO/AUTH or plain mode, and hands floods to
 * the Flooder and mesh upkeep to the Maintainer. Decisions come from the pure modules
 * (handshake.ts, policy.ts, mesh.ts, plain.ts); this class only carries them out.
 */
import type { Socket } from 'node:net';
import type { ChatLineKind, PeerInfo, PluginStatus } from '../../src/app-api.js';
import type { Timer } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import type { Connection } from '../../src/net/connection.js';
import type { ConnectionGroup, Listener } from '../../src/net/connection-group.js';
import type { HostCache } from '../../src/peers/host-cache.js';
import type { PluginContext } from '../../src/plugin.js';
import { formatHostPort, parseHostPort } from './address.js';
import { authProof, makeNonce, verifyProof } from './auth.js';
import { encodeLine, parseHello, parseLine } from './codec.js';
import { MAX_PEERS_PER_LINE, MSG_ID_BYTES, PEERS_ON_REFUSAL, PEERS_TO_SEND } from './constants.js';
import { Discovery } from './discovery.js';
import { Flooder, type Delivery } from './flooder.js';
import { ChatFrameDecoder, type ChatFrame } from './frame-decoder.js';
import { judgeHello, resolveDuplicateLink } from './handshake.js';
import { Link } from './link.js';
import { Maintainer } from './maintainer.js';
import { peersToShare } from './mesh.js';
import type { FloodMessage, HelloMessage } from './messages.js';
import type { ResolvedChatOptions } from './options.js';
import { randomBytes } from 'node:crypto';

/** Grace the core's own handshake timer gives ours, so ours (which sends ERROR) fires first. */
const CORE_HANDSHAKE_BACKSTOP_MS = 1_000;
/** Addresses remembered as our own (dialled and found to be us). */
const MAX_SELF_ADDRS = 64;

/** The peer's `ERROR :<CODE>: reason` before the handshake, keeping its code where it names one. */
function refusal(reason: string): NetError {
  const code = /^(WRONG_MESH|AUTH_FAILED|PROTOCOL|LIMIT): /.exec(reason)?.[1];
  const text = `peer refused us: ${reason}`;
  if (code === 'WRONG_MESH' || code === 'AUTH_FAILED' || code === 'PROTOCOL' || code === 'LIMIT') return new NetError(code, text);
  return NetError.refused(text);
}

const KIND: Record<FloodMessage['type'], ChatLineKind> = { MSG: 'msg', ACT: 'action', JOIN: 'join', PART: 'part', NICK: 'nick' };

export class ChatService {
  readonly #o: ResolvedChatOptions;
  readonly #ctx: PluginContext;
  #nick: string;
  readonly #group: ConnectionGroup<ChatFrame>;
  #listener: Listener | undefined;
  readonly #hosts: HostCache;
  readonly #flooder: Flooder;
  readonly #maintainer: Maintainer;
  #discovery: Discovery | undefined;
  readonly #links = new Map<Connection<ChatFrame>, Link>();
  readonly #byNode = new Map<string, Link>();
  readonly #selfAddrs = new Set<string>();
  #joined = false;
  #stopping = false;
  #pingTimer: Timer | undefined;

  constructor(o: ResolvedChatOptions, ctx: PluginContext, hosts: HostCache) {
    this.#o = o;
    this.#ctx = ctx;
    this.#nick = o.nick ?? ctx.nick;
    this.#hosts = hosts;
    this.#group = ctx.net.group<ChatFrame>({
      name: 'chat',
      decoder: () => new ChatFrameDecoder(o.maxLineBytes),
      handler: {
        onOpen: (c) => this.#onOpen(c),
        onMessage: (c, f) => this.#onFrame(c, f),
        onClose: (c, r) => this.#onClose(c, r),
        onRefused: (s, r) => this.#onRefused(s, r),
      },
      limits: { maxInbound: o.maxInbound, maxOutbound: o.maxOutbound, perIp: o.perIp },
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
      clock: ctx.clock,
      links: () => this.#links.values(),
      deliver: (d) => this.#deliver(d),
    });
    this.#maintainer = new Maintainer({
      hosts,
      clock: ctx.clock,
      log: ctx.log,
      intervalMs: o.maintenanceMs,
      targetDegree: o.targetDegree,
      maxOutbound: o.maxOutbound,
      dial: async (addr) => (await this.#dial(addr)).handshake,
      view: () => ({ linked: this.#byNode.size, outbound: this.#group.count('out'), exclude: this.#exclude() }),
    });
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
    this.#pingTimer = this.#ctx.clock.setInterval(() => this.#keepAlive(), o.pingMs);
    for (const addr of o.connect) void this.connect(addr).catch((err: unknown) => this.#userError(err));
    if (o.discovery && this.#listener) {
      const listener = this.#listener;
      const d = new Discovery(
        o.discovery,
        () => ({ node: o.nodeId, mesh: o.mesh, port: listener.port, nick: this.#nick }),
        (addr) => {
          if (!this.#exclude().has(addr)) this.#maintainer.offer(addr);
        },
        (err) => this.#ctx.log.warn(`discovery: ${err.message}`),
        this.#ctx.clock,
      );
      try {
        await d.start();
        this.#discovery = d;
      } catch (err) {
        await d.stop();
        this.#userError(new NetError('SOCKET', `LAN discovery is off: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
    this.#maintainer.start();
  }

  /** Leaves the mesh (PART), closes every link and timer, saves the host cache. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#maintainer.stop();
    this.#pingTimer?.cancel();
    await this.#discovery?.stop();
    if (this.#joined) this.#flooder.originate(this.#own('PART', { text: 'quit' }));
    await this.#group.close();
    await this.#hosts.save().catch((err: unknown) => this.#ctx.log.warn(`saving host cache: ${String(err)}`));
  }

  // ---- commands (called by index.ts) ----

  /** Sends a chat line (`kind` msg or action). */
  say(text: string, action = false): void {
    const m = this.#own(action ? 'ACT' : 'MSG', { text });
    if (Buffer.byteLength(encodeLine(m)) > this.#o.maxLineBytes) throw NetError.usage('message too long');
    this.#flooder.originate(m);
  }

  changeNick(newNick: string): void {
    const old = this.#nick;
    if (newNick === old) return;
    this.#flooder.originate(this.#own('NICK', { newNick }));
    this.#nick = newNick;
    this.#ctx.emit({ type: 'nick', nick: newNick });
  }

  /** Dials `addr`; resolves once TCP is up (the handshake's outcome arrives as events). */
  async connect(addr: string): Promise<string> {
    if (!parseHostPort(addr)) throw NetError.usage(`not a host:port address: ${addr}`);
    this.#hosts.add(addr);
    const { handshake } = await this.#dial(addr);
    handshake.catch((err: unknown) => this.#userError(err, addr));
    return `connected to ${addr}`;
  }

  peers(): PeerInfo[] {
    const now = this.#ctx.clock.now();
    return [...this.#links.values()].map((l) => ({
      protocol: 'chat',
      address: l.conn.address,
      direction: l.conn.direction,
      nick: l.state === 'ready' ? l.nick : l.state === 'plain' ? `${l.nick} (plain)` : '(handshake)',
      uptimeMs: now - l.conn.openedAt,
      queuedBytes: l.conn.queuedBytes,
    }));
  }

  status(): PluginStatus {
    let peers = 0;
    for (const l of this.#links.values()) if (l.state === 'ready' || l.state === 'plain') peers++;
    return { ports: this.#listener ? { chat: this.#listener.port } : {}, peers };
  }

  // ---- links ----

  async #dial(addr: string): Promise<{ conn: Connection<ChatFrame>; handshake: Promise<void> }> {
    const hp = parseHostPort(addr);
    if (!hp) throw NetError.usage(`not a host:port address: ${addr}`);
    const conn = await this.#group.dial(hp.host, hp.port, { timeoutMs: this.#o.dialMs });
    const link = this.#links.get(conn);
    if (!link) throw conn.closeReason ?? NetError.closed();
    link.dialAddr = addr;
    const handshake = new Promise<void>((resolve, reject) => {
      link.settle = (err) => (err ? reject(err) : resolve());
    });
    return { conn, handshake };
  }

  #onOpen(conn: Connection<ChatFrame>): void {
    const clock = this.#ctx.clock;
    const link = new Link(conn, clock.now());
    this.#links.set(conn, link);
    if (conn.direction === 'out') this.#sendHello(link);
    else link.timers.push(clock.setTimeout(() => this.#graceOver(link), this.#o.plainGraceMs));
    link.timers.push(clock.setTimeout(() => this.#handshakeOver(link), this.#o.handshakeMs));
  }

  /** An accepted link silent past the grace period is a plain peer (a `nc` user reading). */
  #graceOver(link: Link): void {
    if (link.state !== 'hello' || link.spoke || link.conn.closed) return;
    link.state = 'plain';
    this.#announce(link);
  }

  /** No HELLO and no plain line in time: a half-open connection. */
  #handshakeOver(link: Link): void {
    if (link.state === 'ready' || (link.state === 'plain' && link.spoke)) return;
    link.fail(NetError.handshakeTimeout(this.#o.handshakeMs));
  }

  #onFrame(conn: Connection<ChatFrame>, frame: ChatFrame): void {
    const link = this.#links.get(conn);
    if (!link) return;
    if ('fault' in frame) {
      link.fail(frame.fault);
      return;
    }
    link.lastRx = this.#ctx.clock.now();
    const first = !link.spoke;
    link.spoke = true;
    try {
      this.#onLine(link, frame.line, first);
    } catch (err) {
      if (!(err instanceof NetError)) throw err;
      if (link.state === 'ready' || link.state === 'plain') link.fail(err);
      else this.#handshakeFailed(link, err);
    }
  }

  #onLine(link: Link, line: string, first: boolean): void {
    switch (link.state) {
      case 'plain':
        // A provisional plain peer whose first words are a HELLO was just slow: a node after all.
        if (first && line.startsWith('HELLO ')) {
          link.state = 'hello';
          this.#onHello(link, parseHello(line.slice(6)));
          return;
        }
        if (first) link.conn.handshakeDone();
        this.#failIf(link, this.#flooder.plainLine(link, line));
        return;
      case 'hello':
        this.#beforeHello(link, line);
        return;
      case 'auth':
        this.#onAuthLine(link, line);
        return;
      case 'ready':
        this.#onReadyLine(link, line);
        return;
    }
  }

  #beforeHello(link: Link, line: string): void {
    if (line.startsWith('HELLO ')) {
      this.#onHello(link, parseHello(line.slice(6)));
      return;
    }
    if (link.conn.direction === 'out' && (line.startsWith('ERROR') || line.startsWith('PEERS'))) {
      const m = parseLine(line);
      if (m.type === 'ERROR') {
        this.#handshakeFailed(link, refusal(m.reason), false);
        return;
      }
      if (m.type === 'PEERS') {
        this.#learn(m.addresses);
        return;
      }
    }
    // Not a protocol node: a `nc` user or a classic client.
    link.state = 'plain';
    link.conn.handshakeDone();
    link.settle?.(undefined);
    link.settle = undefined;
    this.#announce(link);
    this.#failIf(link, this.#flooder.plainLine(link, line));
  }

  #onHello(link: Link, hello: HelloMessage): void {
    const o = this.#o;
    const verdict = judgeHello(hello, { node: o.nodeId, mesh: o.mesh, hasPassword: o.password !== undefined });
    if (!verdict.ok) {
      this.#handshakeFailed(link, verdict.error);
      return;
    }
    link.hello = hello;
    link.conn.nick = hello.nick;
    if (!link.helloSent) this.#sendHello(link);
    if (verdict.needAuth && o.password !== undefined && link.ourNonce !== undefined && hello.auth !== undefined) {
      link.send({ type: 'AUTH', hmac: authProof(o.password, { node: o.nodeId, nonce: link.ourNonce }, { node: hello.node, nonce: hello.auth }) });
      link.state = 'auth';
    } else {
      this.#ready(link);
    }
  }

  #onAuthLine(link: Link, line: string): void {
    const m = parseLine(line);
    if (m.type === 'ERROR') {
      this.#handshakeFailed(link, refusal(m.reason), false);
      return;
    }
    if (m.type !== 'AUTH') throw NetError.protocol(`expected AUTH, got ${m.type}`);
    const h = link.hello;
    const pw = this.#o.password;
    if (!h || h.auth === undefined || pw === undefined || link.ourNonce === undefined) throw NetError.protocol('AUTH without a nonce');
    if (!verifyProof(pw, { node: h.node, nonce: h.auth }, { node: this.#o.nodeId, nonce: link.ourNonce }, m.hmac)) {
      this.#handshakeFailed(link, NetError.authFailed('wrong mesh password'));
      return;
    }
    this.#ready(link);
  }

  #onReadyLine(link: Link, line: string): void {
    const m = parseLine(line);
    switch (m.type) {
      case 'MSG':
      case 'ACT':
      case 'JOIN':
      case 'PART':
      case 'NICK':
        this.#failIf(link, this.#flooder.receive(link, m));
        return;
      case 'PEERS':
        link.advertised = link.advertised.concat(m.addresses).slice(-MAX_PEERS_PER_LINE);
        this.#learn(m.addresses);
        return;
      case 'PING':
        link.send({ type: 'PONG', token: m.token }, true);
        return;
      case 'PONG':
      case 'PLAIN': // an unknown verb from a newer version: ignored
        return;
      case 'ERROR':
        link.conn.close(NetError.closed(`peer closed the link: ${m.reason}`));
        return;
      case 'HELLO':
      case 'AUTH':
        throw NetError.protocol(`unexpected ${m.type} after the handshake`);
    }
  }

  #failIf(link: Link, err: NetError | undefined): void {
    if (err) link.fail(err);
  }

  #sendHello(link: Link): void {
    const o = this.#o;
    if (o.password !== undefined) link.ourNonce = makeNonce();
    const hello: HelloMessage = { type: 'HELLO', node: o.nodeId, nick: this.#nick, listen: this.#listener?.port ?? null, mesh: o.mesh };
    if (link.ourNonce !== undefined) hello.auth = link.ourNonce;
    link.send(hello);
    link.helloSent = true;
  }

  #ready(link: Link): void {
    const hello = link.hello;
    if (!hello) throw NetError.protocol('ready without HELLO');
    const existing = this.#byNode.get(hello.node);
    if (existing && existing !== link) {
      if (resolveDuplicateLink(this.#o.nodeId, hello.node, existing.conn.direction, link.conn.direction) === 'keep-existing') {
        link.settle?.(undefined); // we are linked to that node: the dial did its job
        link.settle = undefined;
        link.fail(NetError.refused(`already linked to ${hello.nick}`));
        return;
      }
      existing.fail(NetError.refused(`replaced by another link to ${hello.nick}`));
    }
    link.state = 'ready';
    this.#byNode.set(hello.node, link);
    link.conn.handshakeDone();
    if (hello.listen !== null) {
      link.listenAddr = formatHostPort(link.conn.remoteAddress, hello.listen);
      this.#hosts.good(link.listenAddr);
      this.#maintainer.reset(link.listenAddr);
    }
    link.settle?.(undefined);
    link.settle = undefined;
    this.#announce(link);
    const live = [...this.#byNode.values()].flatMap((l) => (l.listenAddr ? [l.listenAddr] : []));
    link.send({ type: 'PEERS', addresses: peersToShare(live, this.#hosts.pick(PEERS_TO_SEND * 2), link.listenAddr, PEERS_TO_SEND) }, true);
    // Tell the other neighbours about the new one: if we die, they know where to reconnect.
    if (link.listenAddr !== undefined) {
      for (const other of this.#byNode.values()) if (other !== link) other.send({ type: 'PEERS', addresses: [link.listenAddr] }, true);
    }
    if (!this.#joined) {
      this.#joined = true;
      this.#flooder.originate(this.#own('JOIN', {}));
    }
  }

  #handshakeFailed(link: Link, err: NetError, tellPeer = true): void {
    const addr = link.dialAddr;
    if (err.code === 'REFUSED' && err.message === 'connected to ourselves') this.#markSelf(link);
    if (addr && (err.code === 'WRONG_MESH' || err.code === 'AUTH_FAILED')) this.#hosts.remove(addr);
    // Explicit dials (/connect, --connect) report to the user through their handshake promise.
    this.#ctx.log.info(`${link.conn.address}: handshake failed: ${err.code}: ${err.message}`);
    if (tellPeer) link.fail(err);
    else link.conn.close(err);
  }

  /** A link to ourselves: remember the address we dialled so we never dial it again. */
  #markSelf(link: Link): void {
    for (const l of this.#links.values()) {
      const mine = l.conn.direction === 'out' && (l === link || l.conn.localPort === link.conn.remotePort);
      if (mine && l.dialAddr && this.#selfAddrs.size < MAX_SELF_ADDRS) {
        this.#selfAddrs.add(l.dialAddr);
        this.#hosts.remove(l.dialAddr);
      }
    }
  }

  #onClose(conn: Connection<ChatFrame>, reason: NetError | undefined): void {
    const link = this.#links.get(conn);
    if (!link) return;
    this.#links.delete(conn);
    link.cancelTimers();
    this.#flooder.forget(link);
    if (link.node !== undefined && this.#byNode.get(link.node) === link) this.#byNode.delete(link.node);
    link.settle?.(reason ?? NetError.closed());
    link.settle = undefined;
    if (link.announced) {
      const why = reason ? `${reason.code}: ${reason.message}` : 'closed';
      this.#ctx.emit({ type: 'peer.down', protocol: 'chat', address: conn.address, direction: conn.direction, reason: why });
    }
    // Route around a lost neighbour: the nodes it told us about are the best way back.
    if (!this.#stopping && link.state === 'ready') this.#maintainer.reconnect(link.advertised);
    else if (!this.#stopping && this.#byNode.size < this.#o.minDegree) this.#maintainer.tick();
  }

  /** Over a limit: tell the refused node why and where else to go (spec "Mesh maintenance"). */
  #onRefused(socket: Socket, reason: NetError): void {
    const live = [...this.#byNode.values()].flatMap((l) => (l.listenAddr ? [l.listenAddr] : []));
    const addresses = peersToShare(live, this.#hosts.pick(PEERS_ON_REFUSAL), undefined, PEERS_ON_REFUSAL);
    socket.write(encodeLine({ type: 'PEERS', addresses }) + encodeLine({ type: 'ERROR', reason: `${reason.code}: ${reason.message}` }));
  }

  #keepAlive(): void {
    const now = this.#ctx.clock.now();
    for (const l of [...this.#links.values()]) {
      if (l.state !== 'ready') continue;
      if (now - l.lastRx > this.#o.idleMs) l.fail(NetError.idleTimeout(this.#o.idleMs));
      else l.send({ type: 'PING', token: randomBytes(6).toString('hex') }, true);
    }
  }

  #learn(addresses: string[]): void {
    for (const a of addresses.slice(0, MAX_PEERS_PER_LINE)) if (!this.#selfAddrs.has(a)) this.#hosts.add(a);
    if (this.#byNode.size < this.#o.targetDegree) this.#maintainer.tick();
  }

  #exclude(): Set<string> {
    const out = new Set(this.#selfAddrs);
    for (const l of this.#links.values()) {
      if (l.dialAddr) out.add(l.dialAddr);
      if (l.listenAddr) out.add(l.listenAddr);
    }
    return out;
  }

  #announce(link: Link): void {
    if (link.announced) return;
    link.announced = true;
    const nick = link.state === 'ready' ? link.nick : undefined;
    this.#ctx.emit({ type: 'peer.up', protocol: 'chat', address: link.conn.address, direction: link.conn.direction, ...(nick ? { nick } : {}) });
  }

  #deliver(d: Delivery): void {
    const m = d.message;
    if (m.type === 'NICK' && d.from?.hello && d.from.hello.node === m.origin) {
      d.from.hello.nick = m.newNick;
      d.from.conn.nick = m.newNick;
    }
    const text = m.type === 'JOIN' ? '' : m.type === 'NICK' ? m.newNick : m.text;
    this.#ctx.emit({ type: 'chat.line', protocol: 'chat', kind: KIND[m.type], id: m.id, nick: m.nick, text, origin: m.origin, at: m.at, hops: d.hops, self: d.self });
  }

  #own<T extends FloodMessage['type']>(type: T, rest: Record<string, string>): FloodMessage {
    const head = { id: randomBytes(MSG_ID_BYTES).toString('hex'), hopsLeft: this.#o.hops, origin: this.#o.nodeId, at: this.#ctx.clock.now(), nick: this.#nick };
    switch (type) {
      case 'MSG':
      case 'ACT':
      case 'PART':
        return { type, ...head, text: rest.text ?? '' } as FloodMessage;
      case 'NICK':
        return { type: 'NICK', ...head, newNick: rest.newNick ?? this.#nick };
      default:
        return { type: 'JOIN', ...head };
    }
  }

  #userError(err: unknown, addr?: string): void {
    const msg = err instanceof NetError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    this.#ctx.emit({ type: 'error', protocol: 'chat', message: addr ? `${addr}: ${msg}` : msg });
  }
}
