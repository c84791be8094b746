/**
 * Peer-name registration and resolution over the chat mesh (issue 14 "Peer names"). Lines,
 * sent only to neighbours that said EXT (extensions.ts):
 *
 *   NAMEQ <query-id> <hops-left> <cloud|all> <name>     flooded with a hop limit
 *   NAMEA <query-id> <record>                           routed back along the reverse path
 *
 * A node that sees a query first records the link it came from (RouteTable), answers from
 * its registrations and its cache, and forwards the query unless it answered a secured name
 * (a secured name has one owner). Answers are verified and cached by every node they pass.
 */
import { randomBytes } from 'node:crypto';
import type { Clock, Timer } from '../../../src/clock.js';
import { NetError } from '../../../src/errors.js';
import { RouteTable } from '../../../src/routing/route-table.js';
import type { Identity } from '../identity.js';
import type { Link } from '../link.js';
import { NameCache, putRecord } from './name-cache.js';
import { encodeRecord, judgeRecord, makeRecord, parseName, parseRecord, UNSECURED, type CloudScope, type NameRecord } from './record.js';

export const NAME_QUERY_VERB = 'NAMEQ';
export const NAME_ANSWER_VERB = 'NAMEA';
/** Routes of queries in flight (query id -> link it came from). */
const MAX_ROUTES = 8_192;
/** Resolutions of our own in flight. */
const MAX_PENDING = 64;
/** After the first answer for an unsecured name, how long more answers are gathered. */
const GATHER_MS = 300;
const QID_RE = /^[0-9a-f]{16,32}$/;
/** The ring's wait: this many times the smoothed time ring answers took, within [RING_MIN_MS, ringMs]. */
const RING_WAIT_FACTOR = 4;
const RING_MIN_MS = 50;
/** Weight of a new sample in the smoothed ring answer time. */
const RING_EWMA = 0.2;
const HOPS_RE = /^[0-9]{1,3}$/;

/** Which clouds a query asks: one scope, or both. */
export type CloudQuery = CloudScope | 'all';

/** Name counters (`/names stats`, benchmarks). */
export interface NameStats {
  /** NAMEQ and NAMEA lines this node sent (its own, forwarded and answers). */
  sent: number;
  queriesSeen: number;
  answered: number;
  /** Dropped records: forged (key/authority/signature), stale (expired), replayed (older than held). */
  forged: number;
  stale: number;
  replayed: number;
}

/** One registration of ours. */
interface Registration {
  name: string;
  cloud: CloudQuery;
}

/** What a resolution found. */
export interface Resolution {
  records: NameRecord[];
  /** Where the answer came from. */
  from: 'local' | 'cache' | 'mesh';
}

interface Pending {
  name: string;
  /** When it was asked, and whether it was asked as a ring first. */
  startedAt: number;
  ring: boolean;
  /** Its query ids: the ring's, then the whole mesh's. */
  qids: string[];
  records: NameRecord[];
  done: (r: NameRecord[] | NetError) => void;
  timers: Timer[];
}

/** What the name service needs from its node. */
export interface NameServiceOptions {
  identity: Identity;
  clock: Clock;
  /** Hop limit of our queries. */
  hops: number;
  /** Lifetime of our secured records (re-issued on every answer). */
  ttlMs: number;
  /** How long a resolution waits for an answer. */
  resolveMs: number;
  /** A secured name is first asked this many hops out (0: the whole mesh at once)... */
  ringHops?: number;
  /** ...and the whole mesh when nothing answered within this (at most; see ringWindow()). */
  ringMs?: number;
  /** Ready links that said EXT. */
  links(): Iterable<Link>;
  /** Our listening endpoints, `tag@host:port`. */
  endpoints(): string[];
}

/** See the file comment. One per running chat node. */
export class NameService {
  readonly stats: NameStats = { sent: 0, queriesSeen: 0, answered: 0, forged: 0, stale: 0, replayed: 0 };
  readonly cache = new NameCache();
  readonly #o: NameServiceOptions;
  readonly #regs = new Map<string, Registration>();
  readonly #routes: RouteTable<Link>;
  /** Resolutions in flight, by each of their query ids. */
  readonly #pending = new Map<string, Pending>();
  readonly #resolutions = new Set<Pending>();
  /** Smoothed time ring answers took (ms); undefined until one came. */
  #ringAnswerMs: number | undefined;

  constructor(o: NameServiceOptions) {
    this.#o = o;
    this.#routes = new RouteTable<Link>({ max: MAX_ROUTES, ttlMs: Math.max(o.resolveMs * 2, 10_000), now: () => o.clock.now(), isAlive: (l) => !l.conn.closed });
  }

  /** `/register`: publishes `<authority>.classifier` (or `0.classifier` unsecured); returns the name. */
  register(classifier: string, unsecured: boolean, cloud: CloudQuery): string {
    const name = `${unsecured ? UNSECURED : this.#o.identity.authority}.${classifier}`;
    this.#regs.set(name, { name, cloud });
    return name;
  }

  /** `/unregister`: true when the name was ours. */
  unregister(name: string): boolean {
    return this.#regs.delete(name);
  }

  /** Our registrations, each with the endpoints it publishes. */
  registrations(): { name: string; cloud: CloudQuery; endpoints: string[] }[] {
    const eps = this.#o.endpoints();
    return [...this.#regs.values()].map((r) => ({ name: r.name, cloud: r.cloud, endpoints: eps }));
  }

  /** Fresh records of our registrations matching `name` in `cloud`. */
  #ours(name: string, cloud: CloudQuery): NameRecord[] {
    const r = this.#regs.get(name);
    if (!r) return [];
    const now = this.#o.clock.now();
    const scopes: CloudScope[] = r.cloud === 'all' ? ['global', 'linklocal'] : [r.cloud];
    return scopes.filter((s) => cloud === 'all' || cloud === s).map((s) => makeRecord(name, s, this.#o.endpoints(), now, this.#o.ttlMs, this.#o.identity));
  }

  /** Resolves a name: our own, the cache, else a flooded query. Rejects NOT_FOUND/TIMEOUT cleanly. */
  async resolve(name: string, cloud: CloudQuery = 'all'): Promise<Resolution> {
    if (!parseName(name)) throw NetError.usage(`not a peer name (authority.classifier): ${name}`);
    const local = this.#ours(name, cloud);
    if (local.length > 0) return { records: local, from: 'local' };
    const cached = this.cache.get(name, this.#o.clock.now()).filter((r) => cloud === 'all' || r.cloud === cloud);
    if (cached.length > 0) return { records: cached, from: 'cache' };
    if (this.#resolutions.size >= MAX_PENDING) throw NetError.limit(`${MAX_PENDING} resolutions are in flight`);
    const hops = cloud === 'linklocal' ? 1 : this.#o.hops;
    // A secured name has one owner: ask near first (expanding ring), the whole mesh only if
    // nobody near answered. Unsecured names may have many owners: always the whole mesh.
    const ring = this.#o.ringHops ?? 0;
    const first = !name.startsWith(`${UNSECURED}.`) && ring > 0 && ring < hops ? ring : hops;
    const records = await new Promise<NameRecord[] | NetError>((resolve) => {
      const p: Pending = { name, startedAt: this.#o.clock.now(), ring: first < hops, qids: [], records: [], done: resolve, timers: [] };
      this.#resolutions.add(p);
      p.timers.push(this.#o.clock.setTimeout(() => this.#finish(p), this.#o.resolveMs));
      this.#ask(p, first, cloud);
      if (first < hops) p.timers.push(this.#o.clock.setTimeout(() => p.records.length === 0 && this.#resolutions.has(p) && this.#ask(p, hops, cloud), this.ringWindow()));
    });
    if (records instanceof NetError) throw records;
    return { records, from: 'mesh' };
  }

  /**
   * How long the ring waits before the whole mesh is asked: a few times what ring answers
   * have taken lately (a busy machine or a slow mesh waits longer), never above `ringMs`.
   */
  ringWindow(): number {
    const max = this.#o.ringMs ?? 0;
    if (this.#ringAnswerMs === undefined) return max;
    return Math.round(Math.min(max, Math.max(RING_MIN_MS, RING_WAIT_FACTOR * this.#ringAnswerMs)));
  }

  /** Floods one query of resolution `p` with a fresh id. */
  #ask(p: Pending, hops: number, cloud: CloudQuery): void {
    const qid = randomBytes(12).toString('hex');
    p.qids.push(qid);
    this.#pending.set(qid, p);
    this.#send(undefined, `${NAME_QUERY_VERB} ${qid} ${hops} ${cloud} ${p.name}`);
  }

  #finish(p: Pending): void {
    if (!this.#resolutions.delete(p)) return;
    for (const q of p.qids) this.#pending.delete(q);
    for (const t of p.timers) t.cancel();
    p.done(p.records.length > 0 ? p.records : NetError.notFound(`no answer for ${p.name} within ${this.#o.resolveMs} ms`));
  }

  /** A NAMEQ or NAMEA line from an extended neighbour; a NetError closes the link. */
  line(link: Link, verb: string, rest: string): NetError | undefined {
    if (verb === NAME_QUERY_VERB) return this.#query(link, rest);
    if (verb === NAME_ANSWER_VERB) return this.#answer(link, rest);
    return undefined;
  }

  #query(link: Link, rest: string): NetError | undefined {
    const [qid, hops, cloud, name, extra] = rest.split(' ');
    if (qid === undefined || !QID_RE.test(qid) || hops === undefined || !HOPS_RE.test(hops) || extra !== undefined) return NetError.badMessage('NAMEQ: bad fields');
    if ((cloud !== 'global' && cloud !== 'linklocal' && cloud !== 'all') || name === undefined || !parseName(name)) return NetError.badMessage('NAMEQ: bad cloud or name');
    if (this.#pending.has(qid) || !this.#routes.add(qid, link)) return undefined; // seen already
    this.stats.queriesSeen++;
    const now = this.#o.clock.now();
    const answers = [...this.#ours(name, cloud), ...this.cache.get(name, now).filter((r) => cloud === 'all' || r.cloud === cloud)];
    for (const r of answers) this.#sendTo(link, `${NAME_ANSWER_VERB} ${qid} ${encodeRecord(r)}`);
    if (answers.length > 0) this.stats.answered++;
    const secured = !name.startsWith(`${UNSECURED}.`);
    const next = Math.min(Number(hops), this.#o.hops) - 1;
    if (next > 0 && !(secured && answers.length > 0)) this.#send(link, `${NAME_QUERY_VERB} ${qid} ${next} ${cloud} ${name}`);
    return undefined;
  }

  #answer(link: Link, rest: string): NetError | undefined {
    const sp = rest.indexOf(' ');
    const qid = rest.slice(0, sp);
    if (sp === -1 || !QID_RE.test(qid)) return NetError.badMessage('NAMEA: bad query id');
    const r = parseRecord(rest.slice(sp + 1));
    const now = this.#o.clock.now();
    const v = judgeRecord(r, now);
    if (v.kind === 'forged') {
      this.stats.forged++;
      return undefined;
    }
    if (v.kind === 'stale') {
      this.stats.stale++;
      return undefined;
    }
    if (this.cache.put(r) === 'older') {
      this.stats.replayed++;
      return undefined;
    }
    const p = this.#pending.get(qid);
    if (p) {
      if (r.name !== p.name || putRecord(p.records, r) !== 'added') return undefined;
      if (p.ring && p.records.length === 1 && p.qids.length === 1) {
        const took = this.#o.clock.now() - p.startedAt;
        this.#ringAnswerMs = this.#ringAnswerMs === undefined ? took : this.#ringAnswerMs + RING_EWMA * (took - this.#ringAnswerMs);
      }
      if (!r.name.startsWith(`${UNSECURED}.`)) this.#finish(p);
      else if (p.records.length === 1) p.timers.push(this.#o.clock.setTimeout(() => this.#finish(p), GATHER_MS));
      return undefined;
    }
    const back = this.#routes.get(qid);
    if (back && back !== link) this.#sendTo(back, `${NAME_ANSWER_VERB} ${qid} ${encodeRecord(r)}`);
    return undefined;
  }

  /** Sends a line to every extended link but `except`. */
  #send(except: Link | undefined, line: string): void {
    for (const l of this.#o.links()) if (l !== except) this.#sendTo(l, line);
  }

  #sendTo(l: Link, line: string): void {
    this.stats.sent++;
    l.flush();
    l.conn.send(`${line}\n`, { droppable: true });
  }

  /** Stops every resolution in flight. */
  stop(): void {
    for (const p of this.#resolutions) {
      for (const t of p.timers) t.cancel();
      p.done(NetError.closed('chat stopped'));
    }
    this.#resolutions.clear();
    this.#pending.clear();
  }
}
