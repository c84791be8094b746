import { NetError } from '../../src/errors.js';
import type { PluginContext } from '../../src/plugin.js';
import { ourBrowseBody, ourHits, ourPong } from './our-replies.js';
import * as C from './constants.js';
import type { Descriptor } from './descriptor.js';
import { GenerationMap } from './generation-map.js';
import { learnFromPong } from './pong-intake.js';
import type { GnutellaLink } from './link.js';
import { decodeMessage, type GnutellaMessage } from './messages.js';
import { PongCache } from './pong-cache.js';
import { decodePush } from './push.js';
import { overHardLimit, route, type DropReason, type LinkId, type RouteTarget } from './router.js';
import { SeenTable } from './seen-table.js';
import { SenderLog } from './sender-log.js';
import { decodeHopsFlow } from './hops-flow.js';
import { isWhatsNew, NewestFiles, saysWhatsNew } from './whats-new.js';
import { tooShort } from './query-screen.js';
import { newGuid } from './servent-guid.js';
import { typeName } from './descriptor-names.js';
import type { Servent } from './servent.js';
import { DynamicQueries } from './dynamic-queries.js';
import { DQ_LEAF_RESULTS } from './dynamic-query.js';
import { duplicateFrom, highTtlFrom, ownHitConduct } from './peer-conduct.js';
import { answerPing } from './ping-policy.js';
import { QueryWords } from './qrp-receiver.js';
import { decodeQueryStatus, encodeQueryStatusRequest, encodeQueryStatusResponse } from './query-status.js';
import type { Query } from './query.js';
import type { HitDropReason } from './hit-screen.js';
import { HitFilter } from './hit-filter.js';

/** Why a descriptor was dropped (`/gstatus` drops). */
type Drop = DropReason | HitDropReason | 'malformed' | 'throttled' | 'ping-throttled' | 'too-short' | 'requery';

/** Routes remembered per generation (query MUID -> link, servent GUID -> link). */
const ROUTES_PER_GENERATION = 20_000;
const ROUTE_GENERATION_MS = 5 * 60_000;

/**
 * What the servent does with each descriptor on an open link: parse, ask the
 * pure route decision, carry it out (answer pings and queries, deliver hits,
 * relay as an ultrapeer, apply a leaf's QRP table), and count everything.
 */
export class MessageHandler {
  readonly seen: SeenTable;
  readonly drops: Partial<Record<Drop, number>> = {};
  /** Our leaves' queries and our own, widened step by step as an ultrapeer (spec 3.5). */
  readonly dq: DynamicQueries;
  readonly #pings: GenerationMap<string, LinkId>;
  readonly #queryRoutes: GenerationMap<string, LinkId>;
  readonly #pushRoutes: GenerationMap<string, LinkId>;
  readonly #byId = new Map<LinkId, GnutellaLink>();
  /** Our newest files, for What's New queries (whats-new.ts). */
  readonly #newest: NewestFiles;
  /** Who sent each query [0] and push [1], with the highest TTL each sent (sender-log.ts). */
  readonly #senders: readonly [SenderLog, SenderLog];
  /** Recent pongs from peers: pings are answered from here, never relayed (spec 2.6). */
  readonly pongs: PongCache;
  /** Spam, own and hostile hits screened out (hit-filter.ts). */
  readonly #hits: HitFilter;
  queriesAnswered = 0;
  hitsSent = 0;

  constructor(
    private readonly s: Servent,
    private readonly ctx: PluginContext,
  ) {
    const now = (): number => ctx.clock.now();
    this.seen = new SeenTable(now);
    this.pongs = new PongCache(now);
    this.#hits = new HitFilter(s);
    const opts = { maxPerGeneration: ROUTES_PER_GENERATION, generationMs: ROUTE_GENERATION_MS, now };
    this.#pings = new GenerationMap(opts);
    this.#queryRoutes = new GenerationMap(opts);
    this.#pushRoutes = new GenerationMap(opts);
    this.#senders = [new SenderLog(opts), new SenderLog(opts)];
    this.#newest = new NewestFiles(ctx.share);
    this.dq = new DynamicQueries(
      {
        clock: ctx.clock,
        ultrapeers: () => this.s.openLinks('ultrapeer').filter((u) => u.hopsFlow > 0),
        sendQuery: (l, muid, ttl, hops, payload) => this.s.send(l, { muid, type: C.DESCRIPTOR_QUERY, ttl, hops, payload }),
        lastHopMatch: (l, payload) => this.#lastHopMatch(l, queryWordsOf(payload)),
        askLeaf: (id, muid) => {
          const leaf = this.#byId.get(id);
          if (leaf) this.s.send(leaf, { muid, type: C.DESCRIPTOR_VENDOR, ttl: 1, hops: 0, payload: encodeQueryStatusRequest() });
        },
      },
      s.opts.dqHopMs,
    );
  }

  forget(l: GnutellaLink): void {
    this.#byId.delete(l.id);
    this.dq.forget(l.id);
  }

  #drop(reason: Drop): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
  }

  onDescriptor(l: GnutellaLink, d: Descriptor): void {
    this.#byId.set(l.id, l);
    l.count('in', typeName(d.type));
    l.decodedIn += C.HEADER_BYTES + d.payload.length;
    const key = d.muid.toString('hex');
    let msg: GnutellaMessage | undefined;
    let back: RouteTarget | undefined;
    if (d.type === C.DESCRIPTOR_PONG) back = this.#pings.get(key) === l.id ? 'us' : undefined;
    if (d.type === C.DESCRIPTOR_QUERY_HIT) {
      const bye = d.hops === 0 ? ownHitConduct(l, d.payload) : undefined;
      if (bye) return this.s.sendBye(l, bye.code, bye.reason);
      back = this.s.searches.has(d.muid) ? 'us' : this.#queryRoutes.get(key);
    }
    if (d.type === C.DESCRIPTOR_PUSH) {
      try {
        const p = decodePush(d.payload);
        msg = p;
        back = p.serventGuid.equals(this.s.guid) ? 'us' : (this.#pushRoutes.get(p.serventGuid.toString('hex')) ?? this.s.push.leafFor(p.serventGuid));
        if (back === undefined) this.s.push.unknownGuid();
      } catch {
        return this.#drop('malformed');
      }
    }
    let query: Query | undefined;
    let words: QueryWords | undefined;
    if (d.type === C.DESCRIPTOR_QUERY && d.ttl > 0) {
      try {
        const m = decodeMessage(d);
        if (m.kind !== 'query') return this.#drop('malformed');
        query = m;
        msg = m;
      } catch {
        return this.#drop('malformed');
      }
      // An out-of-band query whose reply address (its MUID's first 4 bytes) is hostile (hostiles.ts).
      if ((query.flags & (C.QUERY_FLAG_MARK | C.QUERY_FLAG_OOB)) === (C.QUERY_FLAG_MARK | C.QUERY_FLAG_OOB) && this.s.filters.hostiles.has(`${d.muid[0]}.${d.muid[1]}.${d.muid[2]}.${d.muid[3]}`)) return this.#drop('hostile-ip');
      // A leaf over its query rate is throttled; its other traffic and everyone else's goes on.
      if (this.s.role === 'ultrapeer' && l.role === 'leaf' && !l.queryBucket.take(this.ctx.clock.now())) {
        l.throttled++;
        return this.#drop('throttled');
      }
    }
    const wordsOf = (): QueryWords => (words ??= new QueryWords(query?.text ?? '', (query?.huge ?? []).filter((h) => h.toLowerCase().startsWith(C.URN_SHA1_PREFIX))));
    const broadcast = d.type === C.DESCRIPTOR_QUERY || d.type === C.DESCRIPTOR_PUSH;
    let seen = broadcast || d.type === C.DESCRIPTOR_PING ? this.seen.check(d.muid, d.type, d.ttl) : 'new';
    // A query or push the same neighbour sent before (peer-conduct.ts). Only an ultrapeer keeps the log: a leaf
    // never holds more links than it wants, so none of its neighbours could be sent away for it.
    if (broadcast && this.s.role === 'ultrapeer' && this.#senders[d.type === C.DESCRIPTOR_QUERY ? 0 : 1].note(key, l.id, d.ttl) === 'again') {
      const bye = duplicateFrom(l, this.s.openLinks().length, this.s.opts.upLinks);
      if (bye) return this.s.sendBye(l, bye.code, bye.reason);
    }
    // Past the hard TTL limit (peer-conduct.ts): an ultrapeer counts what it will not relay.
    if ((d.type === C.DESCRIPTOR_QUERY || typeof back === 'number') && seen !== 'duplicate' && this.s.role === 'ultrapeer' && overHardLimit(d.ttl, d.hops)) {
      const bye = highTtlFrom(l, d.type === C.DESCRIPTOR_QUERY, d.hops);
      if (bye) return this.s.sendBye(l, bye.code, bye.reason);
    }
    // Too short, or a leaf's re-query (query-screen.ts): neither answered nor relayed.
    if (query && seen !== 'duplicate' && tooShort(query.text, query.sha1s, d.hops)) return this.#drop('too-short');
    if (query && query.sha1s.length > 0 && isWhatsNew(query)) return this.#drop('malformed'); // a What's New naming a SHA-1 (whats-new.ts)
    if (query && seen !== 'duplicate' && this.s.role === 'ultrapeer' && l.role === 'leaf' && !isWhatsNew(query) && l.requeries.again(query.text, query.sha1s, this.ctx.clock.now())) return this.#drop('requery');
    // A higher-TTL copy is a re-probe only from a peer that said X-Ext-Probes (spec 2.15).
    if (seen === 'higher-ttl' && l.peer?.extProbes !== true) seen = 'duplicate';
    const whatsNew = query !== undefined && isWhatsNew(query);
    const decision = route({
      type: d.type,
      ttl: d.ttl,
      hops: d.hops,
      from: { id: l.id, role: l.role ?? 'ultrapeer' },
      self: this.s.role,
      seen,
      ...(back !== undefined ? { back } : {}),
      ultrapeers: this.s.openLinks('ultrapeer').map((x) => x.id),
      whatsNew,
      matchingLeaves: () => (whatsNew ? this.s.leaves().filter((x) => x.whatsNew && !x.qrp.empty).map((x) => x.id) : this.#matchingLeaves(wordsOf())),
      lastHop: (id) => {
        const up = this.#byId.get(id);
        return whatsNew ? up?.whatsNew === true : up === undefined || this.#lastHopMatch(up, wordsOf());
      },
    });
    switch (decision.kind) {
      case 'drop':
        return this.#drop(decision.reason);
      case 'close':
        return this.s.sendBye(l, decision.code, decision.reason);
      case 'link-local':
        return this.#linkLocal(l, d);
      case 'ping':
        try {
          decodeMessage(d);
        } catch {
          return this.#drop('malformed');
        }
        return this.#answerPing(l, d);
      case 'query': {
        if (this.s.role === 'ultrapeer') this.#queryRoutes.set(key, l.id);
        for (const f of decision.forward) {
          const to = this.#byId.get(f.to) ?? this.s.openLinks().find((x) => x.id === f.to);
          if (to) this.s.send(to, { ...d, ttl: f.ttl, hops: d.hops + 1 });
        }
        if (decision.dynamic) this.dq.start(d.muid, d.payload, d.hops + 1, l.id, this.s.opts.dqLeafResults ?? DQ_LEAF_RESULTS, query !== undefined && (query.flags & C.QUERY_FLAG_LEAF_GUIDED) !== 0);
        return this.#answerQuery(l, d, query);
      }
      case 'reply': {
        // Spam and hits from hostile or own addresses (hit-screen.ts): neither counted, routed nor delivered.
        if (d.type === C.DESCRIPTOR_QUERY_HIT) {
          const hit = this.#hits.check(d);
          if (typeof hit === 'string') return this.#drop(hit);
          msg = hit;
        }
        // Results for a dynamic query count toward its goal (byte 0 of a hit: its result count).
        if (d.type === C.DESCRIPTOR_QUERY_HIT && d.payload.length > 0) this.dq.onResults(d.muid, d.payload[0]!);
        if (decision.to !== 'us') {
          const to = this.s.openLinks().find((x) => x.id === decision.to);
          if (!to) return this.#drop('route-lost');
          if (d.type === C.DESCRIPTOR_QUERY_HIT && d.payload.length >= C.GUID_BYTES) this.#pushRoutes.set(d.payload.subarray(d.payload.length - C.GUID_BYTES).toString('hex'), l.id);
          return this.s.send(to, { ...d, ttl: decision.ttl, hops: d.hops + 1 });
        }
        try {
          msg ??= decodeMessage(d);
        } catch {
          return this.#drop('malformed');
        }
        return this.#forUs(l, d, msg);
      }
    }
  }

  /** Leaves whose QRP table matches every word (2/3 from 3 words on; any URN), whatever the TTL (spec 3.4). */
  #matchingLeaves(q: QueryWords): LinkId[] {
    const out: LinkId[] = [];
    for (const x of this.s.leaves()) if (x.qrp.matchesWords(q)) out.push(x.id);
    return out;
  }

  /** Our leaves whose table matches a query payload (our own search as an ultrapeer). */
  leavesFor(payload: Buffer): GnutellaLink[] {
    const q = queryWordsOf(payload);
    return this.s.leaves().filter((x) => x.qrp.matchesWords(q));
  }

  /** An ultrapeer gets a last-hop query when its merged table matches, or when it sent none (spec 3.4). */
  #lastHopMatch(up: GnutellaLink, q: QueryWords): boolean {
    if (!up.peer?.upQueryRouting || !up.qrp.complete) return true;
    return up.qrp.matchesWords(q);
  }

  #linkLocal(l: GnutellaLink, d: Descriptor): void {
    let m: GnutellaMessage;
    try {
      m = decodeMessage(d);
    } catch {
      return this.#drop('malformed');
    }
    switch (m.kind) {
      case 'bye':
        this.ctx.log.info(`gnutella: ${l.conn.address} said Bye ${m.code} ${m.reason}`);
        return l.conn.close(NetError.closed(`peer said Bye ${m.code} ${m.reason}`));
      case 'qrp-reset':
      case 'qrp-patch':
        try {
          if (m.kind === 'qrp-reset') l.qrp.reset(m);
          else l.qrp.patch(m);
        } catch (err) {
          this.s.sendBye(l, C.BYE_BAD_QRP, err instanceof Error ? err.message : 'bad QRP');
        }
        return;
      case 'vendor': {
        let qs;
        try {
          qs = decodeQueryStatus(m);
        } catch {
          return this.#drop('malformed');
        }
        // Leaf-guided dynamic querying (spec 3.5): the ultrapeer asks, we say how many hits we kept.
        if (qs?.kind === 'request' && this.s.role === 'leaf') {
          const kept = this.s.searches.kept(d.muid);
          this.s.send(l, { muid: d.muid, type: C.DESCRIPTOR_VENDOR, ttl: 1, hops: 0, payload: encodeQueryStatusResponse(kept ?? C.DQ_STATUS_STOP) });
          return;
        }
        if (qs?.kind === 'response') return this.dq.onLeafStatus(d.muid, l.id, qs.kept);
        l.hopsFlow = decodeHopsFlow(m) ?? l.hopsFlow;
        l.whatsNew = saysWhatsNew(m) ?? l.whatsNew;
        this.s.push.onVendor(l, m, d.muid);
        return; // vendor messages we do not use are dropped quietly (spec 2.11)
      }
      default:
        return;
    }
  }

  /** Our own pong (our-replies.ts, spec 2.6). */
  ourPong(): Buffer {
    return ourPong(this.s, this.ctx.share);
  }

  /**
   * A ping as gtk-gnutella answers it (ping-policy.ts, spec 2.6, appendix 4): an
   * alive ping (TTL 1, hops 0) and a link's first ping always get our pong with
   * their MUID, others only while we accept connections, and an ultrapeer adds
   * up to 10 cached pongs of other hosts, mixing hop counts; a link's regular
   * pings past one per 3 s (60 s from a leaf) are dropped. TTL = hops + 1. Never relayed.
   */
  #answerPing(l: GnutellaLink, d: Descriptor): void {
    const a = answerPing({
      ttl: d.ttl,
      hops: d.hops,
      self: this.s.role,
      from: l.role ?? 'ultrapeer',
      taken: l.pingsTaken,
      acceptAt: l.pingAcceptAt,
      now: this.ctx.clock.now(),
      accepting: this.s.acceptingConnections(),
    });
    if (a.kind === 'drop') return this.#drop('ping-throttled');
    l.pingsTaken++;
    l.pingAcceptAt = a.acceptAt;
    const ttl = d.hops + 1;
    if (a.own) this.s.send(l, { muid: d.muid, type: C.DESCRIPTOR_PONG, ttl, hops: 0, payload: this.ourPong() });
    if (!a.cached) return;
    for (const p of this.pongs.pick(l.id)) {
      this.s.send(l, { muid: d.muid, type: C.DESCRIPTOR_PONG, ttl, hops: Math.min(p.hops + 1, C.HARD_TTL_LIMIT - ttl), payload: p.payload });
    }
  }

  sendAlivePing(l: GnutellaLink): void {
    l.lastAlivePingAt = this.ctx.clock.now();
    const muid = newGuid();
    this.#pings.set(muid.toString('hex'), l.id);
    l.unansweredPings++;
    this.s.send(l, { muid, type: C.DESCRIPTOR_PING, ttl: 1, hops: 0, payload: Buffer.alloc(0) });
  }

  /** RESET + PATCH from nothing, or a PATCH from what this link has (spec 3.4). */
  sendQrp(l: GnutellaLink): void {
    const table = this.s.tableFor(l);
    if (l.sentTable && l.sentTable.equals(table)) return;
    for (const payload of table.updateMessages(l.sentTable)) this.s.send(l, { muid: newGuid(), type: C.DESCRIPTOR_ROUTE_TABLE_UPDATE, ttl: 1, hops: 0, payload });
    l.sentTable = table;
  }

  /** Our shared files as QueryHit descriptors, for browse host (spec 5.5). */
  browseBody(): Buffer {
    return ourBrowseBody(this.s, this.ctx.share);
  }

  #answerQuery(l: GnutellaLink, d: Descriptor, m: Query | undefined): void {
    if (!m) return;
    const hits = ourHits(this.s, this.ctx.share, m, () => this.#newest.get(this.ctx.clock.now()));
    if (hits.length === 0) return;
    this.queriesAnswered++;
    for (const payload of hits) {
      this.hitsSent++;
      this.s.send(l, { muid: d.muid, type: C.DESCRIPTOR_QUERY_HIT, ttl: Math.min(C.HARD_TTL_LIMIT, d.hops + 2), hops: 0, payload });
    }
  }

  #forUs(l: GnutellaLink, d: Descriptor, m: GnutellaMessage): void {
    switch (m.kind) {
      case 'pong':
        l.unansweredPings = 0;
        if (!learnFromPong(m, d, l.id, { hosts: this.s.hosts, knownUltrapeers: this.s.knownUltrapeers, pongs: this.pongs, hostiles: this.s.filters.hostiles })) this.#drop('malformed');
        return;
      case 'query-hit':
        this.s.push.noteHit(m.serventGuid, l);
        return this.s.searches.deliver(d.muid, m);
      case 'push':
        return this.s.push.onPushForUs(m);
      default:
        return;
    }
  }
}

/** A query payload's words, for last-hop matching of a dynamic query's copies. */
function queryWordsOf(payload: Buffer): QueryWords {
  try {
    const m = decodeMessage({ muid: Buffer.alloc(C.GUID_BYTES), type: C.DESCRIPTOR_QUERY, ttl: 1, hops: 0, payload });
    if (m.kind === 'query') return new QueryWords(m.text, m.huge.filter((h) => h.toLowerCase().startsWith(C.URN_SHA1_PREFIX)));
  } catch {
    // our own or an already-checked payload: cannot fail
  }
  return new QueryWords('');
}
