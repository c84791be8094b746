/**
 * People Near Me (issue 14): while signed in, a node announces a friendly name, nick,
 * authority and the protocols it runs on its link-local cloud (the LAN discovery group, TTL
 * 1); `/near` lists who is there, live. Invitations (`/invite who what [message]`) are signed
 * datagrams addressed to one authority; the recipient answers `/accept N` or `/decline N`.
 * Classic nodes ignore these datagrams (their version tag is not `peerdeck-chat/1`).
 *
 *   peerdeck-near/1 in <node> <authority> <nick> <protocols,> <friendly-b64url>
 *   peerdeck-near/1 out <node>
 *   peerdeck-invite/1 <id> <to-authority> <from-key> <sig> <kind> <endpoint> <nick> <message-b64url|->
 *   peerdeck-reply/1 <id> <to-authority> <from-authority> accepted|declined
 */
import { randomBytes } from 'node:crypto';
import type { EventOf } from '../../src/app-api.js';
import type { Clock } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import { normalizeIp } from '../../src/net/address.js';
import type { Contacts } from './contacts.js';
import { authorityOfKey, verifySignature, type Identity } from './identity.js';
import { acceptAction, inviteEndpoint, INVITE_KINDS, type InviteKind } from './invite-action.js';
import { LineRate } from './line-rate.js';
import { isEndpoint } from './names/record.js';
import { shownNick } from '../../src/nick.js';
import { isNick, stripBidi, stripControls } from './text.js';

export const NEAR_TAG = 'peerdeck-near/1';
export const INVITE_TAG = 'peerdeck-invite/1';
export const REPLY_TAG = 'peerdeck-reply/1';
/** Largest near-me datagram read or sent. */
export const MAX_NEAR_DATAGRAM = 1_024;
/** People remembered, invitations kept. */
export const MAX_PEOPLE = 256;
export const MAX_INVITATIONS = 64;
/** Ids of checked invitations remembered, so that a replayed one is not new again once it has left the list. */
export const MAX_SEEN_INVITES = 1_024;
/**
 * Invitations to us checked a second, with bursts of INVITE_BURST; more are dropped unread
 * (`throttled`). A person invites now and then; a LAN host making a key and an invitation a
 * datagram would otherwise cost a signature check and a notice each, as fast as it sends.
 */
export const INVITES_PER_SEC = 2;
export const INVITE_BURST = 16;
/**
 * Who came, changed or signed out, told (a `near.person` event) this many times a second,
 * with bursts of NEAR_TELL_BURST (a LAN full of people at start-up). A datagram that would
 * tell more is dropped unread: an honest node says it again at its next announcement.
 * Presence is not signed; without this a LAN host could make an event per datagram.
 */
export const NEAR_TELLS_PER_SEC = 10;
export const NEAR_TELL_BURST = 64;
/** Characters of an invitation message, of a friendly name. */
export const MAX_INVITE_TEXT = 200;
export const MAX_FRIENDLY = 64;

export type { InviteKind } from './invite-action.js';
const KINDS = INVITE_KINDS;
/** Whose invitations reach the user. */
export type AcceptFrom = 'anyone' | 'contacts' | 'nobody';

/** One person near me. */
export interface Person {
  node: string;
  authority: string;
  nick: string;
  friendly: string;
  protocols: string[];
  address: string;
  seen: number;
}

/** A received invitation. */
export interface Invitation {
  n: number;
  id: string;
  from: string;
  nick: string;
  authority: string;
  contact: boolean;
  kind: InviteKind;
  endpoint: string;
  text: string;
  state: 'open' | 'accepted' | 'declined';
}

/** What People Near Me needs from its node. */
export interface NearMeOptions {
  identity: Identity;
  contacts: Contacts;
  clock: Clock;
  node: string;
  nick(): string;
  friendly: string;
  protocols(): string[];
  endpoints(): string[];
  acceptFrom: AcceptFrom;
  /** A person silent this long has left. */
  expireMs: number;
  /** Sends one datagram to the link-local group. */
  send(datagram: string): void;
  /** Tells the user something (a notice). */
  notice(text: string): void;
  /** Someone appeared or went, an invitation came or changed (the TUI's Near window is built from these). */
  event(e: EventOf<'near.person'> | EventOf<'near.invitation'>): void;
  /** Runs a plugin's command through the core (accepting an invitation: invite-action.ts). */
  run(plugin: string, command: string, args: string[]): Promise<string[]>;
}

const NODE_RE = /^[A-Za-z0-9_-]{1,64}$/;
const AUTH_RE = /^[0-9a-f]{40}$/;
const B64_RE = /^[A-Za-z0-9_-]{0,400}$/;
const ID_RE = /^[0-9a-f]{16}$/;

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');
// A friendly name or message from the LAN, made safe to show (no control, no bidi override).
const unb64 = (s: string, max: number): string => stripBidi(stripControls(Buffer.from(s, 'base64url').toString('utf8'))).slice(0, max);

function inviteBytes(id: string, to: string, kind: string, endpoint: string, nick: string, msg: string): Buffer {
  return Buffer.from(`${INVITE_TAG}\n${id}\n${to}\n${kind}\n${endpoint}\n${nick}\n${msg}`, 'utf8');
}

/** See the file comment. One per chat node with discovery on. */
export class NearMe {
  signedIn = true;
  acceptFrom: AcceptFrom;
  /** Invitations refused by the accept-from policy, and near-me datagrams that failed checks. */
  refused = 0;
  bad = 0;
  /** Invitations to us dropped unread over INVITES_PER_SEC, presence over NEAR_TELLS_PER_SEC. */
  throttled = 0;
  readonly #o: NearMeOptions;
  readonly #people = new Map<string, Person>();
  readonly #invitations: Invitation[] = [];
  /** Ids of invitations whose signature checked out (the newest MAX_SEEN_INVITES). */
  readonly #seenInvites = new Set<string>();
  readonly #inviteRate: LineRate;
  readonly #tellRate: LineRate;
  /** Invitations we sent and not yet answered: id -> the authority invited (the newest MAX_INVITATIONS). */
  readonly #sent = new Map<string, string>();
  #next = 1;

  constructor(o: NearMeOptions) {
    this.#o = o;
    this.acceptFrom = o.acceptFrom;
    this.#inviteRate = new LineRate(INVITES_PER_SEC, INVITE_BURST, Infinity, o.clock.now());
    this.#tellRate = new LineRate(NEAR_TELLS_PER_SEC, NEAR_TELL_BURST, Infinity, o.clock.now());
  }

  /** Our presence datagram while signed in (sent with every discovery announcement). */
  presence(): string | undefined {
    if (!this.signedIn) return undefined;
    const o = this.#o;
    return `${NEAR_TAG} in ${o.node} ${o.identity.authority} ${o.nick()} ${o.protocols().join(',') || '-'} ${b64(o.friendly.slice(0, MAX_FRIENDLY))}`;
  }

  signin(): void {
    this.signedIn = true;
    const p = this.presence();
    if (p) this.#o.send(p);
  }

  signout(): void {
    this.signedIn = false;
    this.#o.send(`${NEAR_TAG} out ${this.#o.node}`);
  }

  /** A datagram of ours (near, invite, reply); false when it is none of them. */
  receive(data: Buffer, from: string): boolean {
    if (data.length > MAX_NEAR_DATAGRAM) return false;
    const text = data.toString('utf8');
    const f = text.trim().split(' ');
    switch (f[0]) {
      case NEAR_TAG:
        this.#presence(f, normalizeIp(from));
        return true;
      case INVITE_TAG:
        this.#invite(f);
        return true;
      case REPLY_TAG:
        this.#reply(f);
        return true;
      default:
        return false;
    }
  }

  #presence(f: string[], address: string): void {
    const [, what, node] = f;
    if (node === undefined || !NODE_RE.test(node) || node === this.#o.node) return;
    if (what === 'out' && f.length === 3) {
      const p = this.#people.get(node);
      if (p && this.#mayTell()) {
        this.#people.delete(node);
        this.#person(p, 'signed-out', `near: ${p.nick} signed out`);
      }
      return;
    }
    const [, , , authority, nick, protocols, friendly] = f;
    if (what !== 'in' || f.length !== 7 || !AUTH_RE.test(authority!) || !isNick(nick!) || !B64_RE.test(friendly!) || !/^[a-z0-9,_-]{1,200}$/.test(protocols!)) {
      this.bad++;
      return;
    }
    const known = this.#people.get(node);
    const person: Person = { node, authority: authority!, nick: shownNick(nick!), friendly: unb64(friendly!, MAX_FRIENDLY), protocols: protocols === '-' ? [] : protocols!.split(','), address, seen: this.#o.clock.now() };
    if (!known && this.#people.size >= MAX_PEOPLE) return;
    const changed = known !== undefined && (known.nick !== person.nick || known.friendly !== person.friendly || known.address !== person.address || known.protocols.join() !== person.protocols.join());
    if ((!known || changed) && !this.#mayTell()) return;
    this.#people.set(node, person);
    if (!known) this.#person(person, 'here', `near: ${person.nick} (${person.friendly}) is near you`);
    else if (changed) {
      // A node announces before all its protocols listen: the view follows what it says now.
      this.#person(person, 'here', `near: ${person.nick} (${person.friendly}) now runs ${person.protocols.join(' ') || 'nothing'} at ${person.address}`);
    }
  }

  /** Whether one more person may be told of now (NEAR_TELLS_PER_SEC); counts the drop if not. */
  #mayTell(): boolean {
    if (this.#tellRate.take(this.#o.clock.now()).kind === 'pass') return true;
    this.throttled++;
    return false;
  }

  /** Forgets people not heard from within expireMs; call on every announcement. */
  tick(): void {
    const now = this.#o.clock.now();
    for (const [node, p] of this.#people) {
      if (now - p.seen > this.#o.expireMs) {
        this.#people.delete(node);
        this.#person(p, 'left', `near: ${p.nick} left`);
      }
    }
  }

  #person(p: Person, state: 'here' | 'signed-out' | 'left', text: string): void {
    const { seen: _seen, ...who } = p;
    this.#o.event({ type: 'near.person', protocol: 'chat', state, text, ...who });
  }

  #invitation(inv: Invitation, text: string): void {
    const { id: _id, endpoint, text: message, ...rest } = inv;
    this.#o.event({ type: 'near.invitation', protocol: 'chat', text, ...rest, endpoint: endpoint.slice(endpoint.indexOf('@') + 1), message });
  }

  people(): Person[] {
    return [...this.#people.values()];
  }

  /** `/invite who what [message]`: who is a nick or authority prefix from /near. */
  invite(who: string, kind: string, message: string): string {
    if (!KINDS.includes(kind as InviteKind)) throw NetError.usage(`usage: /invite <who> <${KINDS.join('|')}> [message]`);
    const p = this.people().find((x) => x.nick === who || (who.length >= 8 && x.authority.startsWith(who)));
    if (!p) throw NetError.notFound(`${who} is not near you (see /near)`);
    const endpoint = inviteEndpoint(kind as InviteKind, this.#o.endpoints());
    if (!endpoint) throw NetError.usage(`this node runs no ${kind} to invite to`);
    const id = randomBytes(8).toString('hex');
    const nick = this.#o.nick();
    const msg = stripControls(message).slice(0, MAX_INVITE_TEXT);
    const sig = this.#o.identity.sign(inviteBytes(id, p.authority, kind, endpoint, nick, msg));
    this.#o.send(`${INVITE_TAG} ${id} ${p.authority} ${this.#o.identity.publicKey} ${sig} ${kind} ${endpoint} ${nick} ${msg === '' ? '-' : b64(msg)}`);
    this.#sent.set(id, p.authority);
    if (this.#sent.size > MAX_INVITATIONS) this.#sent.delete(this.#sent.keys().next().value!);
    return `invited ${p.nick} to ${kind} at ${endpoint.slice(endpoint.indexOf('@') + 1)}`;
  }

  #invite(f: string[]): void {
    if (f.length !== 9) return;
    const [, id, to, key, sig, kind, endpoint, nick, wireMsg] = f as [string, string, string, string, string, string, string, string, string];
    const msg64 = wireMsg === '-' ? '' : wireMsg;
    if (to !== this.#o.identity.authority) return; // for someone else on the link
    if (!ID_RE.test(id) || !KINDS.includes(kind as InviteKind) || !isEndpoint(endpoint) || !isNick(nick) || !B64_RE.test(msg64)) {
      this.bad++;
      return;
    }
    // Told once (below): a copy of one told already costs no signature check.
    if (this.#seenInvites.has(id)) return;
    if (this.#inviteRate.take(this.#o.clock.now()).kind !== 'pass') {
      this.throttled++;
      return;
    }
    const text = unb64(msg64, MAX_INVITE_TEXT);
    if (!verifySignature(key, inviteBytes(id, to, kind, endpoint, nick, Buffer.from(msg64, 'base64url').toString('utf8')), sig)) {
      this.bad++;
      return;
    }
    const authority = authorityOfKey(key);
    // Told once: an invitation carries no time, so a copy sent again (by anyone who heard it)
    // would be new once the list had dropped it, and a refused one would be answered again.
    this.#seenInvites.add(id);
    if (this.#seenInvites.size > MAX_SEEN_INVITES) this.#seenInvites.delete(this.#seenInvites.values().next().value!);
    const contact = this.#o.contacts.list().find((c) => c.authority === authority);
    if (this.acceptFrom === 'nobody' || (this.acceptFrom === 'contacts' && !contact)) {
      this.refused++;
      this.#answer(id, authority, 'declined');
      return;
    }
    const inv: Invitation = { n: this.#next++, id, from: contact ? contact.name : authority.slice(0, 8), nick: shownNick(nick), authority, contact: contact !== undefined, kind: kind as InviteKind, endpoint, text, state: 'open' };
    this.#invitations.push(inv);
    if (this.#invitations.length > MAX_INVITATIONS) this.#invitations.shift();
    const who = contact ? `${contact.name} (contact)` : `${inv.nick} (${authority.slice(0, 8)}, not a contact)`;
    this.#invitation(inv, `invitation ${inv.n}: ${who} invites you to ${kind} at ${endpoint.slice(endpoint.indexOf('@') + 1)}${text ? `: ${text}` : ''} (/accept ${inv.n} or /decline ${inv.n})`);
  }

  /**
   * An answer to one of our invitations: told once, and only for an invitation we sent to
   * that authority. Anything else on the LAN (a made-up id, a second answer, an answer from
   * someone else) is dropped: it used to be a notice each, as many as were sent.
   */
  #reply(f: string[]): void {
    const [, id, to, from, answer] = f;
    if (f.length !== 5 || to !== this.#o.identity.authority || !ID_RE.test(id!) || !AUTH_RE.test(from!) || (answer !== 'accepted' && answer !== 'declined')) return;
    if (this.#sent.get(id!) !== from) {
      this.bad++;
      return;
    }
    this.#sent.delete(id!);
    const p = this.people().find((x) => x.authority === from);
    this.#o.notice(`${p ? p.nick : from!.slice(0, 8)} ${answer} your invitation`);
  }

  #answer(id: string, to: string, answer: 'accepted' | 'declined'): void {
    this.#o.send(`${REPLY_TAG} ${id} ${to} ${this.#o.identity.authority} ${answer}`);
  }

  invitations(): Invitation[] {
    return [...this.#invitations];
  }

  /**
   * `/accept N`: answers `accepted`, then does what the invitation names through the plugin
   * that owns it (invite-action.ts): a mesh is dialled, a P+2 peer added (so /search asks it),
   * a Gnutella servent dialled, a Napster index logged in to.
   */
  async accept(n: number): Promise<string[]> {
    const inv = this.#open(n);
    inv.state = 'accepted';
    this.#answer(inv.id, inv.authority, 'accepted');
    this.#invitation(inv, `invitation ${n} accepted`);
    const addr = inv.endpoint.slice(inv.endpoint.indexOf('@') + 1);
    const act = acceptAction(inv.kind, addr);
    let out: string[];
    try {
      out = await this.#o.run(act.plugin, act.command, act.args);
    } catch (err) {
      if (err instanceof NetError && err.code === 'NOT_FOUND') return [`accepted invitation ${n}, but ${act.missing}`];
      throw err;
    }
    return [`accepted invitation ${n}: ${inv.kind} at ${addr}`, ...out, ...(act.then ? [act.then] : [])];
  }

  decline(n: number): string {
    const inv = this.#open(n);
    inv.state = 'declined';
    this.#answer(inv.id, inv.authority, 'declined');
    this.#invitation(inv, `invitation ${n} declined`);
    return `declined invitation ${n}`;
  }

  #open(n: number): Invitation {
    const inv = this.#invitations.find((i) => i.n === n);
    if (!inv) throw NetError.notFound(`no invitation ${n}`);
    if (inv.state !== 'open') throw NetError.usage(`invitation ${n} is already ${inv.state}`);
    return inv;
  }
}
