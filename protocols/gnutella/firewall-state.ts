/** No incoming connection for this long: assume firewalled again (GTKG's watchdog, spec 4.1). */
export const INBOUND_FRESH_MS = 30 * 60_000;

/** How an incoming connection reached us. */
export type InboundKind = 'incoming connection' | 'connect-back' | 'GIV callback';

/** Why we are (or are not) firewalled: what `/gstatus`, the status bar and events say. */
export type FirewallReason =
  | { kind: 'forced' }
  | { kind: 'no-inbound' }
  | { kind: 'stale'; lastFrom: string }
  | { kind: 'inbound'; from: string; how: InboundKind; at: number };

/**
 * Whether an incoming connection from `from` proves that others can reach our
 * port (spec 4.1): one from another host does; one from loopback proves nothing
 * for the network, except when loopback is the network we advertise ourselves
 * on (`--gnutella-host 127.0.0.1`, as every test network is). Pure.
 */
export function provesReachable(from: string, ourIp: string | undefined): boolean {
  const loop = (ip: string | undefined): boolean => ip !== undefined && (ip.startsWith('127.') || ip === '::1' || ip.startsWith('::ffff:127.'));
  return !loop(from) || loop(ourIp);
}

/** Words for a reason. */
export function describeFirewall(r: FirewallReason): string {
  switch (r.kind) {
    case 'forced':
      return 'firewalled: forced by --gnutella-firewalled';
    case 'no-inbound':
      return 'firewalled: no incoming connection yet (ultrapeers are asked to connect back)';
    case 'stale':
      return `firewalled again: no incoming connection for ${INBOUND_FRESH_MS / 60_000} minutes (the last came from ${r.lastFrom})`;
    case 'inbound':
      return `not firewalled: ${r.how} from ${r.from}`;
  }
}

/**
 * Our firewalled state (spec 4.1): firewalled until an unsolicited incoming
 * connection proves otherwise, firewalled again after 30 minutes without one,
 * always firewalled when forced. `onChange` hears every change of state.
 */
export class FirewallState {
  #reason: FirewallReason;
  readonly #since: number;
  readonly #reachable = new Set<() => void>();

  constructor(
    private readonly forced: boolean,
    private readonly now: () => number,
    private readonly onChange: (firewalled: boolean, reason: FirewallReason) => void,
  ) {
    this.#reason = forced ? { kind: 'forced' } : { kind: 'no-inbound' };
    this.#since = now();
  }

  /**
   * How long "firewalled" is not an answer yet: right after the start no
   * connect-back can have come (a download revived at start-up, a quick
   * `/get`), so until `graceMs` after it "no incoming connection yet" may
   * still change. 0 when forced, proven, stale or past the grace.
   */
  undecidedMs(graceMs: number): number {
    return this.#reason.kind === 'no-inbound' ? Math.max(0, this.#since + graceMs - this.now()) : 0;
  }

  /** Calls `f` once, when an incoming connection next proves us reachable; returns what stops the wait. */
  onReachable(f: () => void): () => void {
    this.#reachable.add(f);
    return () => this.#reachable.delete(f);
  }

  get firewalled(): boolean {
    return this.#reason.kind !== 'inbound';
  }

  get reason(): FirewallReason {
    return this.#reason;
  }

  describe(): string {
    return describeFirewall(this.#reason);
  }

  /** An incoming connection arrived from `from`; `ourIp` is the address we advertise. */
  inbound(from: string, how: InboundKind, ourIp: string | undefined): void {
    if (this.forced || !provesReachable(from, ourIp)) return;
    const was = this.firewalled;
    this.#reason = { kind: 'inbound', from, how, at: this.now() };
    if (was) this.onChange(false, this.#reason);
    for (const f of [...this.#reachable]) {
      this.#reachable.delete(f);
      f();
    }
  }

  /** The watchdog: called now and then; an old proof no longer counts. */
  check(): void {
    const r = this.#reason;
    if (r.kind !== 'inbound' || this.now() - r.at < INBOUND_FRESH_MS) return;
    this.#reason = { kind: 'stale', lastFrom: r.from };
    this.onChange(true, this.#reason);
  }
}
