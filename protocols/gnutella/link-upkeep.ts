/**
 * The servent's maintenance round (every 5 s, spec 1.5, 2.10, 3.1, 3.4, 6):
 * the host cache saved now and then, links flow-controlled for too long sent
 * away, alive pings on quiet links (and a Bye to a link that left too many
 * unanswered, ping-policy.ts), the
 * role election, an ultrapeer's QRP table to its ultrapeers, and dials until
 * we have the ultrapeer links we want.
 */
import type { Logger } from '../../src/log.js';
import * as C from './constants.js';
import { FLOW_CONTROL_MS, flowControlCheck, flowControlReason } from './slow-peer.js';
import { tellHopsFlow } from './hops-flow-sender.js';
import { aliveStep } from './ping-policy.js';
import { HOSTS_SAVE_EVERY_MS, QRP_UP_UPDATE_MS } from './servent-options.js';
import type { Servent } from './servent.js';

export class LinkUpkeep {
  #lastSave = 0;
  #lastQrpSent = 0;

  /** `checkRole` runs the role election and says whether the role changed. */
  constructor(
    private readonly s: Servent,
    private readonly log: Logger,
    private readonly checkRole: (now: number) => boolean,
  ) {}

  /** One round at time `now`. */
  run(now: number): void {
    const s = this.s;
    const hosts = s.hosts;
    if (!hosts) return;
    if (now - this.#lastSave >= HOSTS_SAVE_EVERY_MS) {
      this.#lastSave = now;
      // Written atomically when changed, so a crash loses at most a minute of hosts.
      hosts.save().catch((err: unknown) => this.log.warn(`gnutella: host cache not saved: ${String(err)}`));
    }
    this.#kickFlowControlled(now);
    this.#alivePings(now);
    // After a role change, dial on the next round: peers first see our Bye (else 409, same GUID).
    if (this.checkRole(now)) return;
    if (s.role === 'ultrapeer' && now - this.#lastQrpSent >= (s.opts.qrpUpdateMs ?? QRP_UP_UPDATE_MS)) {
      this.#lastQrpSent = now;
      for (const l of s.openLinks('ultrapeer')) if (l.peer?.upQueryRouting) s.messages.sendQrp(l);
    }
    // A leaf keeps --gnutella-links ultrapeers; an ultrapeer dials for its mesh, leaving room for inbound ones.
    const want = s.role === 'leaf' ? s.opts.links : Math.max(1, Math.ceil(s.opts.upLinks / 2));
    s.dialer.fill(want, () => s.openLinks('ultrapeer').length, `${s.local.listen?.ip}:${s.port}`, s.role === 'ultrapeer' ? (a) => s.knownUltrapeers.has(a) : undefined);
  }

  /** Alive pings where a link has been quiet for its period (ping-policy.ts); Bye 406 when too many went unanswered. */
  #alivePings(now: number): void {
    const s = this.s;
    for (const l of s.openLinks()) {
      if (l.decodedIn !== l.decodedAtRound || l.quietSince === 0) {
        l.decodedAtRound = l.decodedIn;
        l.quietSince = now;
      }
      const step = aliveStep({ self: s.role, from: l.role ?? 'ultrapeer', now, quietSince: l.quietSince, lastPingAt: l.lastAlivePingAt, unanswered: l.unansweredPings });
      if (step === 'bye') s.sendBye(l, C.BYE_NO_PONGS, 'No reply to alive pings');
      else if (step === 'ping') s.messages.sendAlivePing(l);
    }
  }

  /**
   * A link congested (its peer not reading) for the flow-control limit gets
   * `Bye 405 Flow-controlled for too long (180 secs)`, as gtk-gnutella does
   * (spec 6: `node_tx_flowc_timeout`), instead of staying open forever while
   * everything droppable for it is dropped.
   */
  #kickFlowControlled(now: number): void {
    const limit = this.s.opts.flowControlMs ?? FLOW_CONTROL_MS;
    for (const l of this.s.openLinks()) {
      const v = flowControlCheck(l.conn.congested, l.flowControlSince, now, limit);
      l.flowControlSince = v.since;
      if (v.kick) this.s.sendBye(l, C.BYE_IDLE, flowControlReason(limit));
      else tellHopsFlow(this.s, l, now); // a change the gap held back (hops-flow-sender.ts)
    }
  }
}
