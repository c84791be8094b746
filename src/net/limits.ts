import type { Direction } from '../app-api.js';
import { NetError } from '../errors.js';

/** Caps on links: per direction, and per remote IP. Infinity = no cap. */
export interface LinkLimits {
  maxInbound: number;
  maxOutbound: number;
  perIp: number;
}

/**
 * The manager's global tally, shared by every group, so that one protocol cannot
 * take all of the process's sockets.
 */
export class LinkCounter {
  #in = 0;
  #out = 0;
  #perIp = new Map<string, number>();

  constructor(private readonly limits: LinkLimits) {}

  get inbound(): number {
    return this.#in;
  }
  get outbound(): number {
    return this.#out;
  }

  check(direction: Direction, ip: string): NetError | undefined {
    if (direction === 'in' && this.#in >= this.limits.maxInbound) return NetError.limit(`global inbound link limit (${this.limits.maxInbound}) reached`);
    if (direction === 'out' && this.#out >= this.limits.maxOutbound) return NetError.limit(`global outbound link limit (${this.limits.maxOutbound}) reached`);
    if (direction === 'in' && (this.#perIp.get(ip) ?? 0) >= this.limits.perIp) return NetError.limit(`too many links from ${ip} (global limit ${this.limits.perIp})`);
    return undefined;
  }

  add(direction: Direction, delta: number): void {
    if (direction === 'in') this.#in += delta;
    else this.#out += delta;
  }

  claim(ip: string): void {
    this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
  }

  release(ip: string): void {
    const n = (this.#perIp.get(ip) ?? 0) - 1;
    if (n <= 0) this.#perIp.delete(ip);
    else this.#perIp.set(ip, n);
  }
}
