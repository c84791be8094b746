/**
 * The Near window's state (People Near Me, README "People Near Me"): who is near us now and
 * the invitations we received, kept from `near.person` and `near.invitation` events. Pure;
 * bounded like the chat node's own lists (256 people, 64 invitations).
 */
import type { EventOf, NearInvitation, NearPerson } from '../src/app-api.js';
import { sanitize } from './text-width.js';

/** People shown (the node remembers as many). */
export const NEAR_PEOPLE_LIMIT = 256;
/** Invitations kept (the node keeps as many). */
export const NEAR_INVITATIONS_LIMIT = 64;

/** A person near us, and since when (ms). */
export interface NearPersonRow extends NearPerson {
  since: number;
}

/** See the file comment. */
export class NearModel {
  readonly #people = new Map<string, NearPersonRow>();
  readonly #invitations = new Map<number, NearInvitation>();

  /** Applies one event; returns false when it changed nothing (an unknown person leaving). */
  apply(e: EventOf<'near.person'> | EventOf<'near.invitation'>, now: number): boolean {
    if (e.type === 'near.person') {
      const { type: _t, protocol: _p, state, text: _x, ...p } = e;
      if (state !== 'here') return this.#people.delete(p.node);
      const row: NearPersonRow = { ...p, nick: sanitize(p.nick), friendly: sanitize(p.friendly), address: sanitize(p.address), protocols: p.protocols.map(sanitize), since: this.#people.get(p.node)?.since ?? now };
      this.#people.delete(p.node);
      this.#people.set(p.node, row);
      if (this.#people.size > NEAR_PEOPLE_LIMIT) this.#people.delete(this.#people.keys().next().value!);
      return true;
    }
    const { type: _t, protocol: _p, text: _x, ...inv } = e;
    this.#invitations.delete(inv.n);
    this.#invitations.set(inv.n, { ...inv, from: sanitize(inv.from), nick: sanitize(inv.nick), endpoint: sanitize(inv.endpoint), message: sanitize(inv.message) });
    if (this.#invitations.size > NEAR_INVITATIONS_LIMIT) this.#invitations.delete(this.#invitations.keys().next().value!);
    return true;
  }

  /** People near us, by nick. */
  people(): NearPersonRow[] {
    return [...this.#people.values()].sort((a, b) => a.nick.localeCompare(b.nick, undefined, { sensitivity: 'base' }));
  }

  /** Invitations, open ones first, then newest first. */
  invitations(): NearInvitation[] {
    return [...this.#invitations.values()].sort((a, b) => Number(b.state === 'open') - Number(a.state === 'open') || b.n - a.n);
  }

  /** Open invitations (for the status of the window's title). */
  get open(): number {
    let n = 0;
    for (const i of this.#invitations.values()) if (i.state === 'open') n++;
    return n;
  }
}
