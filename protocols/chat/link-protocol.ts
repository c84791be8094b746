/**
 * What each received line does to a link, by link state (specs/chat.md "Lines", "Plain
 * peers", "Mesh name and password"): HELLO and AUTH walk a link to ready, anything else
 * first makes it a plain peer, and ready links carry floods, PEERS and keep-alives.
 * Decisions come from handshake.ts and the Flooder; the ChatService owns the state.
 */
import { NetError } from '../../src/errors.js';
import type { Connection } from '../../src/net/connection.js';
import { formatHostPort } from '../../src/net/address.js';
import { admitNode, admitPlain, countSlots, type AdmissionLimits } from './admission.js';
import { authProof, makeNonce, verifyProof } from './auth.js';
import { parseHello, parseLine } from './codec.js';
import { MAX_PEERS_PER_LINE, PEERS_ON_REFUSAL, PEERS_TO_SEND } from './constants.js';
import { floodIdAt, floodIdEnd, parseFloodAt, WireFlood } from './flood-bytes.js';
import type { ChatFrame } from './frame-decoder.js';
import { judgeHello, resolveDuplicateLink, SELF_LINK } from './handshake.js';
import type { Link } from './link.js';
import { listenAddrs } from './link-addresses.js';
import { LineRate } from './line-rate.js';
import { peersToShare } from './mesh.js';
import type { HelloMessage } from './messages.js';
import { authFailed, refusal } from './errors.js';
import type { LinkContext } from './link-context.js';

export type { LinkContext } from './link-context.js';

/** What a plain peer is told, once, by a `--require-signed` node (README "Signed lines"). */
export const PLAIN_UNSIGNED_DROPPED = '* this node shows signed lines only: yours are not shown (a plain peer cannot sign)';

/** Addresses remembered as our own (dialled and found to be us). */
const MAX_SELF_ADDRS = 64;

/** Handles every line received on a chat link, by the link's state. */
export class LinkProtocol {
  readonly #c: LinkContext;
  /** The clock's time for the lines of the current task (one socket read), or -1. */
  #now = -1;
  readonly #forgetNow = (): void => {
    this.#now = -1;
  };
  /** Every flooded line is parsed into this one (used only while its line is handled). */
  readonly #flood = new WireFlood();

  constructor(c: LinkContext) {
    this.#c = c;
  }

  /**
   * The clock read once per task, not per line: a socket read hands over hundreds of lines
   * in one synchronous run, and they all take its time. The time is forgotten when the
   * task's microtasks run, before the next socket read or timer.
   */
  #time(): number {
    if (this.#now < 0) {
      this.#now = this.#c.clock.now();
      queueMicrotask(this.#forgetNow);
    }
    return this.#now;
  }

  onFrame(conn: Connection<ChatFrame>, frame: ChatFrame): void {
    const link = this.#c.links.get(conn);
    if (!link) return;
    if ('fault' in frame) {
      link.fail(frame.fault);
      return;
    }
    // Every step below takes this time (read once per socket read).
    const now = this.#time();
    link.lastRx = now;
    const first = !link.spoke;
    link.spoke = true;
    try {
      // The relay's hot path: a copy of a flood already handled is dropped unparsed (its id
      // looked up as bytes); a new one is parsed from its bytes and forwarded as them.
      let flood: WireFlood | undefined;
      if (link.state === 'ready') {
        const b = frame.buf;
        const idEnd = floodIdEnd(b, frame.start, frame.end);
        if (idEnd !== -1 && this.#c.flooder.isSeenBytes(b, floodIdAt(b, frame.start), idEnd, now)) {
          if (this.#c.ext?.admit() !== false) this.#failIf(link, this.#c.flooder.duplicate(link, now));
          return;
        }
        // (idEnd -1 with a flood verb: the parse throws the id's error, as parseLine would.)
        flood = parseFloodAt(b, frame.start, frame.end, idEnd, this.#flood);
      }
      if (flood) {
        // Its id was looked up just now and found absent: the Flooder records it without a second lookup.
        if (this.#c.ext?.admit() !== false) this.#failIf(link, this.#c.flooder.receiveChecked(link, flood, now));
      } else this.#onLine(link, frame.line, first);
      if (this.#c.flooder.congested) {
        this.#c.flooder.congested = false;
        this.#c.throttle(link);
      }
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
        if (first) {
          // A silent reader's first words: it now needs a plain peer's slot.
          const refused = this.#plainRefusal(link);
          if (refused) {
            link.fail(refused);
            return;
          }
          link.conn.handshakeDone();
        }
        this.#plainLine(link, line);
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
        this.#c.learn(m.addresses, link.conn.remoteAddress);
        return;
      }
    }
    // Not a protocol node: a `nc` user or a classic client.
    const refused = this.#plainRefusal(link);
    if (refused) {
      this.#handshakeFailed(link, refused);
      return;
    }
    link.state = 'plain';
    link.conn.handshakeDone();
    link.settle?.(undefined);
    link.settle = undefined;
    this.#c.announce(link);
    this.#plainLine(link, line);
  }

  /** Admission limits as the options set them. */
  #limits(): AdmissionLimits {
    const o = this.#c.options;
    return { maxInbound: o.maxInbound, maxPlain: o.maxPlain, maxPending: o.maxPending, hasPassword: o.password !== undefined };
  }

  /** Why `link` may not become a speaking plain peer (a password mesh, or plain slots full). */
  #plainRefusal(link: Link): NetError | undefined {
    const limits = this.#limits();
    if (link.conn.direction === 'out') return limits.hasPassword ? admitPlain({ pending: 0, plain: 0, nodes: 0 }, limits) : undefined;
    return admitPlain(countSlots(this.#c.links.values(), link), limits);
  }

  /** A plain peer's line, within its line rate (README "Plain peers"). */
  #plainLine(link: Link, line: string): void {
    const o = this.#c.options.plainRate;
    const now = this.#c.clock.now();
    link.rate ??= new LineRate(o.perSec, o.burst, o.cutAfter, now);
    const v = link.rate.take(now);
    switch (v.kind) {
      case 'pass':
        if (this.#c.ext?.admit() === false) {
          // Once, so an nc user knows why nobody answers (it cannot sign).
          if (!link.toldUnsigned) link.conn.send(`${PLAIN_UNSIGNED_DROPPED}\n`);
          link.toldUnsigned = true;
          return;
        }
        this.#failIf(link, this.#c.flooder.plainLine(link, line));
        return;
      case 'throttle':
        if (v.first) {
          link.conn.send(`* too many lines: yours are dropped for now (${o.perSec} a second, bursts of ${o.burst})\n`);
          this.#c.notice(`plain peer ${link.nick} sends more than ${o.perSec} lines a second: its lines are dropped for now`);
        }
        return;
      case 'cut':
        this.#c.notice(`plain peer ${link.nick} cut off: ${v.dropped} lines over the rate`);
        link.fail(NetError.flood(`more than ${o.perSec} lines a second (${v.dropped} lines dropped)`));
        return;
    }
  }

  #onHello(link: Link, hello: HelloMessage): void {
    const o = this.#c.options;
    const verdict = judgeHello(hello, { node: o.nodeId, mesh: o.mesh, hasPassword: o.password !== undefined });
    if (!verdict.ok) {
      this.#handshakeFailed(link, verdict.error);
      return;
    }
    link.hello = hello;
    link.conn.nick = hello.nick;
    if (link.dialAddr !== undefined) this.#c.found(link.dialAddr, hello.node);
    // A second link to a node we are linked to, that the rule says goes: refused before our
    // HELLO, so the dialler never counts it as up (README "Mesh upkeep").
    const existing = this.#c.byNode.get(hello.node);
    if (existing && link.conn.direction === 'in' && resolveDuplicateLink(o.nodeId, hello.node, existing.conn.direction, 'in') === 'keep-existing') {
      this.#handshakeFailed(link, NetError.duplicate(`already linked to ${hello.nick}`));
      return;
    }
    // Full: say so before our HELLO, so the dialler hears it as a refusal and goes elsewhere.
    if (link.conn.direction === 'in' && !this.#c.byNode.has(hello.node)) {
      const full = admitNode(countSlots(this.#c.links.values(), link), this.#limits());
      if (full) {
        this.#refuse(link, full);
        return;
      }
    }
    if (!link.helloSent) this.sendHello(link);
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
    const pw = this.#c.options.password;
    if (!h || h.auth === undefined || pw === undefined || link.ourNonce === undefined) throw NetError.protocol('AUTH without a nonce');
    if (!verifyProof(pw, { node: h.node, nonce: h.auth }, { node: this.#c.options.nodeId, nonce: link.ourNonce }, m.hmac)) {
      this.#handshakeFailed(link, authFailed('wrong mesh password'));
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
        // Unsigned, on a --require-signed node: dropped. A node that linked is a program, not
        // someone typing: it is not sent the plain peers' notice (it would ignore the verb).
        if (this.#c.ext?.admit() === false) return;
        this.#failIf(link, this.#c.flooder.receive(link, m));
        return;
      case 'PEERS':
        link.advertised = link.advertised.concat(m.addresses).slice(-MAX_PEERS_PER_LINE);
        this.#c.learn(m.addresses, link.conn.remoteAddress);
        return;
      case 'PING':
        link.send({ type: 'PONG', token: m.token }, true);
        return;
      case 'PONG':
        return;
      case 'PLAIN': // an unknown verb: an extension (extensions.ts), else from a newer version: ignored
        if (this.#c.ext) this.#failIf(link, this.#c.ext.line(link, line));
        return;
      case 'ERROR':
        // A duplicate closed on purpose (both nodes dialled at once) is not a lost link.
        link.conn.close(m.reason.startsWith('DUPLICATE: ') ? refusal(m.reason) : NetError.closed(`peer closed the link: ${m.reason}`));
        return;
      case 'HELLO':
      case 'AUTH':
        throw NetError.protocol(`unexpected ${m.type} after the handshake`);
    }
  }

  #failIf(link: Link, err: NetError | undefined): void {
    if (err) link.fail(err);
  }

  sendHello(link: Link): void {
    const o = this.#c.options;
    if (o.password !== undefined) link.ourNonce = makeNonce();
    const hello: HelloMessage = { type: 'HELLO', node: o.nodeId, nick: this.#c.nick(), listen: this.#c.listenPort(), mesh: o.mesh };
    if (link.ourNonce !== undefined) hello.auth = link.ourNonce;
    link.send(hello);
    link.helloSent = true;
  }

  #ready(link: Link): void {
    const hello = link.hello;
    if (!hello) throw NetError.protocol('ready without HELLO');
    const existing = this.#c.byNode.get(hello.node);
    if (existing && existing !== link) {
      if (resolveDuplicateLink(this.#c.options.nodeId, hello.node, existing.conn.direction, link.conn.direction) === 'keep-existing') {
        link.settle?.(undefined); // we are linked to that node: the dial did its job
        link.settle = undefined;
        link.fail(NetError.duplicate(`already linked to ${hello.nick}`));
        return;
      }
      existing.fail(NetError.duplicate(`replaced by another link to ${hello.nick}`));
    }
    if (link.conn.direction === 'in') {
      const full = admitNode(countSlots(this.#c.links.values(), link), this.#limits());
      if (full) {
        this.#refuse(link, full);
        return;
      }
    }
    link.state = 'ready';
    this.#c.byNode.set(hello.node, link);
    link.conn.handshakeDone();
    if (hello.listen !== null) {
      link.listenAddr = formatHostPort(link.conn.remoteAddress, hello.listen);
      this.#c.hosts.good(link.listenAddr);
      this.#c.resetBackoff(link.listenAddr);
    }
    link.settle?.(undefined);
    link.settle = undefined;
    this.#c.announce(link);
    this.#c.ext?.ready(link);
    const live = listenAddrs(this.#c.byNode.values());
    link.send({ type: 'PEERS', addresses: peersToShare(live, this.#c.hosts.pick(PEERS_TO_SEND * 2), link.listenAddr, PEERS_TO_SEND) }, true);
    // Tell the other neighbours about the new one: if we die, they know where to reconnect.
    if (link.listenAddr !== undefined) {
      for (const other of this.#c.byNode.values()) if (other !== link) other.send({ type: 'PEERS', addresses: [link.listenAddr] }, true);
    }
    this.#c.joined();
  }

  /** Over a limit: tell the refused node why and where else to go (spec "Mesh maintenance"). */
  #refuse(link: Link, err: NetError): void {
    const live = listenAddrs(this.#c.byNode.values());
    link.send({ type: 'PEERS', addresses: peersToShare(live, this.#c.hosts.pick(PEERS_ON_REFUSAL), undefined, PEERS_ON_REFUSAL) });
    this.#handshakeFailed(link, err);
  }

  #handshakeFailed(link: Link, err: NetError, tellPeer = true): void {
    const addr = link.dialAddr;
    if (err.code === 'REFUSED' && err.message === SELF_LINK) this.#markSelf(link);
    if (addr && (err.code === 'WRONG_MESH' || err.code === 'AUTH_FAILED')) this.#c.hosts.remove(addr);
    // Explicit dials (/connect, --connect) report to the user through their handshake promise.
    this.#c.log.info(`${link.conn.address}: handshake failed: ${err.code}: ${err.message}`);
    if (tellPeer) link.fail(err);
    else link.conn.close(err);
  }

  /** A link to ourselves: remember the address we dialled so we never dial it again. */
  #markSelf(link: Link): void {
    for (const l of this.#c.links.values()) {
      const mine = l.conn.direction === 'out' && (l === link || l.conn.localPort === link.conn.remotePort);
      if (mine && l.dialAddr && this.#c.selfAddrs.size < MAX_SELF_ADDRS) {
        this.#c.selfAddrs.add(l.dialAddr);
        this.#c.hosts.remove(l.dialAddr);
      }
    }
  }
}
