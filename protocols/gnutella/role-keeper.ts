import type { PluginContext } from '../../src/plugin.js';
import * as C from './constants.js';
import type { Role } from './handshake.js';
import type { GnutellaLink } from './link.js';
import { decideLeafGuidance, decideRole, type GnutellaMode } from './role-policy.js';

/** What the role keeper reads from and does to the servent. */
export interface RoleHost {
  readonly opts: {
    mode: GnutellaMode;
    maxLeaves: number;
    upLinks: number;
    promoteAfterMs: number;
    roleChangeEveryMs?: number;
    demoteWithoutLeavesMs?: number;
  };
  readonly startedAt: number;
  readonly firewalledWhy: string | undefined;
  openLinks(role?: Role): readonly GnutellaLink[];
  sendBye(l: GnutellaLink, code: number, reason: string): void;
}

/**
 * Our role and why (spec 3.1): asks the pure election (`decideRole`) every
 * maintenance round with the servent's uptime, firewall state, capacity and
 * leaves, and carries out a change: Bye to every peer, then links are dialled
 * and negotiated again for the new role.
 */
export class RoleKeeper {
  role: Role;
  why: string;
  #changedAt = -Infinity;
  #leaflessSince: number | undefined;
  /** Why we are a leaf when an ultrapeer guided us there (kept in `why` while auto mode holds the role). */
  #guided: string | undefined;

  constructor(
    private readonly s: RoleHost,
    private readonly ctx: PluginContext,
  ) {
    const mode = s.opts.mode;
    this.role = mode === 'auto' ? 'leaf' : mode;
    this.why = mode === 'auto' ? 'auto: starting as a leaf' : `--gnutella-mode ${mode}`;
  }

  /** Re-runs the election; true when the role changed (dial on the next round then). */
  check(now: number): boolean {
    const s = this.s;
    if (this.role === 'ultrapeer' && s.openLinks('leaf').length === 0) this.#leaflessSince ??= now;
    else this.#leaflessSince = undefined;
    const d = decideRole({
      mode: s.opts.mode,
      current: this.role,
      firewalledWhy: s.firewalledWhy,
      uptimeMs: now - s.startedAt,
      promoteAfterMs: s.opts.promoteAfterMs,
      capacity: s.opts.maxLeaves + s.opts.upLinks,
      leaflessForMs: this.#leaflessSince === undefined ? undefined : now - this.#leaflessSince,
      sinceChangeMs: now - this.#changedAt,
      ...(s.opts.roleChangeEveryMs !== undefined ? { changeEveryMs: s.opts.roleChangeEveryMs } : {}),
      ...(s.opts.demoteWithoutLeavesMs !== undefined ? { demoteAfterMs: s.opts.demoteWithoutLeavesMs } : {}),
    });
    this.why = this.#guided !== undefined && d.role === this.role ? `${this.#guided}; ${d.why}` : d.why;
    if (d.role === this.role) return false;
    this.change(d.role, d.why);
    return true;
  }

  /**
   * Leaf guidance as the dialling side (spec 3.1): asks the pure decision and,
   * when it says obey, becomes a leaf before answering step 3, so the guiding
   * link opens as our first leaf-to-ultrapeer link; true when we did.
   */
  followGuidance(needed: boolean | undefined, host: string): boolean {
    const d = decideLeafGuidance({ mode: this.s.opts.mode, current: this.role, leaves: this.s.openLinks('leaf').length, needed, host });
    if (d.kind === 'ignore') {
      if (needed === false) this.ctx.log.info(`gnutella: ${d.why}`);
      return false;
    }
    this.change('leaf', d.why);
    this.#guided = d.why;
    return true;
  }

  /** Takes the new role and says Bye to every peer, with the reason. */
  change(role: Role, why: string): void {
    const from = this.role;
    this.role = role;
    this.why = why;
    this.#guided = undefined;
    this.#changedAt = this.ctx.clock.now();
    this.#leaflessSince = undefined;
    this.ctx.log.info(`gnutella: now ${role === 'ultrapeer' ? 'an ultrapeer' : 'a leaf'} (was ${from}): ${why}`);
    for (const l of this.s.openLinks()) this.s.sendBye(l, C.BYE_ROLE_CHANGE, role === 'ultrapeer' ? 'Becoming an ultrapeer' : 'Becoming a leaf node');
  }
}
