/**
 * Turns delivered chat lines into `chat.line` events (README "Events", "Nicks", "Names"):
 * the nick as it shows (two live nodes with one nick are shown apart: nick-guard.ts), the
 * text, hops, and who signed it (contacts.ts). A node nobody listens to builds no event.
 */
import type { AppEvent, ChatLineKind } from '../../src/app-api.js';
import type { PluginContext } from '../../src/plugin.js';
import type { Contacts } from './contacts.js';
import { WireChatLine } from '../../src/wire-chat-line.js';
import type { Delivery } from './flooder.js';
import type { Link } from './link.js';
import type { FloodMessage } from './messages.js';
import { NickGuard } from './nick-guard.js';
import type { WireFlood } from './wire-flood.js';

const KIND: Record<FloodMessage['type'], ChatLineKind> = { MSG: 'msg', ACT: 'action', JOIN: 'join', PART: 'part', NICK: 'nick' };

/** One node's chat.line events; see the file comment. */
export class LineEvents {
  readonly nicks: NickGuard;
  /** Every line shown from its bytes goes out in this one (listeners read it only while called). */
  readonly #wire = new WireChatLine();

  constructor(
    node: string,
    private readonly ctx: Pick<PluginContext, 'emit' | 'listened' | 'wireLines'>,
    private readonly contacts: Contacts,
    /** Our nick now. */
    private readonly ourNick: () => string,
  ) {
    this.nicks = new NickGuard(node, (text) => ctx.emit({ type: 'notice', protocol: 'chat', text }));
  }

  /** Shows a delivered line (and learns from it who uses which nick). */
  deliver(d: Delivery): void {
    const m = d.message;
    if (m.type === 'NICK' && d.from?.hello && d.from.hello.node === m.origin) {
      d.from.hello.nick = m.newNick;
      d.from.conn.nick = m.newNick;
    }
    // Two live nodes with one nick are shown apart (nick-guard.ts); it learns from every line.
    const { nick, text } = this.nicks.shown(d, this.ourNick(), d.now);
    // A relay nobody watches (an in-process node without subscribers) builds no event.
    if (this.ctx.listened?.() === false) return;
    const e: AppEvent = { type: 'chat.line', protocol: 'chat', kind: KIND[m.type], id: m.id, nick, text, origin: m.origin, at: m.at, hops: d.hops, self: d.self };
    if (m.sig) Object.assign(e, this.#signer(m.nick, m.sig.key, m.sig.authority, d.self));
    this.ctx.emit(e);
  }

  /**
   * deliver() for a line received from a neighbour, as its bytes (Flooder.receiveChecked): its
   * id and text are decoded only for a listener that needs them as strings; a `--json` printer
   * copies them from the bytes (WireChatLine). The same event, field for field.
   */
  deliverWire(w: WireFlood, hops: number, from: Link, now: number): void {
    if (w.type === 'NICK') {
      this.deliver({ message: w.message, self: false, hops, from, now });
      return;
    }
    const nick = this.nicks.shownLine(w.type, w.origin, w.nick, this.ourNick(), now);
    if (this.ctx.listened?.() === false) return;
    const kind = KIND[w.type];
    // A line with control characters to strip shows other text than its bytes.
    if (w.verbatim && this.ctx.wireLines?.() === true) {
      this.ctx.emit(this.#wire.set('chat', kind, w.buf, w.idAt, w.idEnd, nick, w.textAt, w.end, w.origin, w.at, hops, false));
      return;
    }
    this.ctx.emit({ type: 'chat.line', protocol: 'chat', kind, id: w.id, nick, text: w.text, origin: w.origin, at: w.at, hops, self: false });
  }

  /** How a verified signer shows (contacts.ts); a changed key is a loud warning. */
  #signer(nick: string, key: string, authority: string, self: boolean): { signedBy: string; contact?: boolean } {
    if (self) return { signedBy: authority };
    const { warning, ...mark } = this.contacts.mark(nick, key, authority);
    if (warning !== undefined) this.ctx.emit({ type: 'error', protocol: 'chat', message: warning });
    return mark;
  }
}
