import { systemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../log.js';
import type { Connection } from './connection.js';
import { ConnectionGroup, type GroupOptions } from './connection-group.js';
import { LinkCounter, type LinkLimits } from './limits.js';
import { UdpEndpoint, type UdpOptions } from './udp-endpoint.js';

export interface ManagerOptions {
  limits?: Partial<LinkLimits>;
  clock?: Clock;
  log?: Logger;
}

/** Defaults sized for a desktop node; `--max-links` style flags can raise them. */
export const DEFAULT_GLOBAL_LIMITS: LinkLimits = { maxInbound: 512, maxOutbound: 256, perIp: 64 };

/**
 * The thin registry every plugin registers with: it hands out connection groups
 * and enforces the process-wide link limits.
 */
export class ConnectionManager {
  readonly #groups = new Map<string, ConnectionGroup<unknown>>();
  readonly #udp = new Set<UdpEndpoint>();
  readonly #counter: LinkCounter;
  readonly #clock: Clock;
  readonly #log: Logger;
  #nextId = 1;

  constructor(opts: ManagerOptions = {}) {
    this.#counter = new LinkCounter({ ...DEFAULT_GLOBAL_LIMITS, ...opts.limits });
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log ?? silentLogger;
  }

  group<M>(opts: GroupOptions<M>): ConnectionGroup<M> {
    if (this.#groups.has(opts.name)) throw new Error(`connection group ${opts.name} already exists`);
    const g = new ConnectionGroup<M>(opts, this.#counter, this.#clock, this.#log.child(opts.name), () => this.#nextId++);
    this.#groups.set(opts.name, g as ConnectionGroup<unknown>);
    return g;
  }

  /** A UDP socket for a plugin, closed with the manager (or by the plugin). */
  async udp(name: string, opts: UdpOptions): Promise<UdpEndpoint> {
    const ep = await UdpEndpoint.bind(opts, this.#log.child(`${name}/udp`));
    this.#udp.add(ep);
    return ep;
  }

  groups(): ConnectionGroup<unknown>[] {
    return [...this.#groups.values()];
  }

  all(): Connection<unknown>[] {
    const out: Connection<unknown>[] = [];
    for (const g of this.#groups.values()) out.push(...g.connections);
    return out;
  }

  get inbound(): number {
    return this.#counter.inbound;
  }
  get outbound(): number {
    return this.#counter.outbound;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#groups.values()].map((g) => g.close()));
    this.#groups.clear();
    await Promise.all([...this.#udp].map((u) => u.close()));
    this.#udp.clear();
  }
}
