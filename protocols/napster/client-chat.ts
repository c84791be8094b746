import type { ChatLineKind } from '../../src/app-api.js';
import { NetError } from '../../src/errors.js';
import type { PluginContext } from '../../src/plugin.js';
import * as W from './constants.js';
import type { ServerLink } from './client-link.js';
import type { ServerMessage } from './client-server-messages.js';
import { describeWhois } from './client-whois.js';
import { toWire } from './messages.js';

/** What the server's 321-325 answers say. */
const IGNORE_WORDS: Record<Extract<ServerMessage, { kind: 'ignore' }>['event'], (nick: string) => string> = {
  entry: (n) => `ignoring ${n}`,
  added: (n) => `now ignoring ${n}`,
  removed: (n) => `no longer ignoring ${n}`,
  'not-ignored': (n) => `${n} was not ignored`,
  already: (n) => `already ignoring ${n}`,
};

/** Napster channel names (§4.1 400): `#` or `&` plus 1-32 printable characters, none of `%$*?",`. */
const CHANNEL = /^[#&][\x21-\x7e\xa0-\xff]{1,32}$/;

/**
 * Chat over a Napster server (§4.1): private messages, channels, whois,
 * hotlist, ignore list (kept by the server, which then refuses the ignored
 * user's private messages and hides their channel lines; we drop their lines
 * too, for servers that do not). Lines go to the Napster tab as `chat.line` events (nick colours),
 * everything else as notices. Keeps which channel plain input goes to.
 */
export class NapsterChat {
  readonly #ctx: PluginContext;
  readonly #nick: () => string;
  readonly #notice: (text: string) => void;
  readonly #channels = new Set<string>();
  readonly #hotlist = new Set<string>();
  /** Ignored nicks, lower case -> as typed. */
  readonly #ignored = new Map<string, string>();
  #currentChannel: string | undefined;
  #seq = 0;

  constructor(ctx: PluginContext, nick: () => string, notice: (text: string) => void) {
    this.#ctx = ctx;
    this.#nick = nick;
    this.#notice = notice;
  }

  get channels(): string[] {
    return [...this.#channels];
  }

  get hotlist(): string[] {
    return [...this.#hotlist];
  }

  get ignored(): string[] {
    return [...this.#ignored.values()];
  }

  /** After a (re)login: rejoin our channels and send the hotlist again (208 is the batch form; 207 per nick works everywhere). */
  onOnline(link: ServerLink): void {
    for (const nick of this.#hotlist) link.send(W.MSG_HOTLIST_ADD, nick);
    for (const nick of this.#ignored.values()) link.send(W.MSG_IGNORE_ADD, nick);
    for (const ch of this.#channels) link.send(W.MSG_JOIN, ch);
  }

  /** `/msg nick text` (205). */
  msg(link: ServerLink, nick: string, text: string): void {
    if (!nick || !text) throw NetError.usage('usage: /msg <nick> <text>');
    link.send(W.MSG_PRIVMSG, `${toWire(nick)} ${toWire(text)}`);
    this.#line('msg', this.#nick(), `-> ${nick}: ${text}`, true);
  }

  /** Plain input: a public message to the current channel (402; the server echoes it as 403). */
  say(link: ServerLink, text: string, emote = false): void {
    const ch = this.#currentChannel;
    if (!ch) throw NetError.usage('join a channel first (/join #channel), or /msg <nick> <text>');
    if (emote) link.send(W.MSG_EMOTE, `${ch} "${toWire(text.replace(/"/g, "'"))}"`);
    else link.send(W.MSG_PUBLIC, `${ch} ${toWire(text)}`);
  }

  join(link: ServerLink, channel: string): void {
    const ch = /^[#&]/.test(channel) ? channel : `#${channel}`;
    if (!CHANNEL.test(ch) || /[%$*?",]/.test(ch)) throw NetError.usage(`not a channel name: ${channel}`);
    if (this.#channels.size >= W.MAX_CHANNELS && !this.#channels.has(ch)) throw NetError.limit(`at most ${W.MAX_CHANNELS} channels`);
    link.send(W.MSG_JOIN, ch);
  }

  part(link: ServerLink, channel?: string): string {
    const ch = channel ?? this.#currentChannel;
    if (!ch) throw NetError.usage('usage: /part #channel');
    link.send(W.MSG_PART, ch);
    return ch;
  }

  topic(link: ServerLink, channel: string | undefined, text: string): void {
    const ch = channel ?? this.#currentChannel;
    if (!ch) throw NetError.usage('usage: /topic #channel [text]');
    link.send(W.MSG_TOPIC, text ? `${ch} ${toWire(text)}` : ch);
  }

  hotlistAdd(link: ServerLink | undefined, nick: string): void {
    if (this.#hotlist.size >= W.MAX_HOTLIST && !this.#hotlist.has(nick)) throw NetError.limit(`at most ${W.MAX_HOTLIST} hotlist entries`);
    this.#hotlist.add(nick);
    link?.send(W.MSG_HOTLIST_ADD, nick);
  }

  hotlistRemove(link: ServerLink | undefined, nick: string): boolean {
    link?.send(W.MSG_HOTLIST_REMOVE, nick);
    return this.#hotlist.delete(nick);
  }

  /** `/ignore add nick` (322): kept here and by every server we are on (at most MAX_IGNORE, §7). */
  ignoreAdd(links: readonly ServerLink[], nick: string): void {
    const key = nick.toLowerCase();
    if (this.#ignored.size >= W.MAX_IGNORE && !this.#ignored.has(key)) throw NetError.limit(`at most ${W.MAX_IGNORE} ignored users`);
    this.#ignored.set(key, nick);
    for (const l of links) l.send(W.MSG_IGNORE_ADD, nick);
  }

  /** `/ignore del nick` (323); false when the nick was not ignored here. */
  ignoreRemove(links: readonly ServerLink[], nick: string): boolean {
    for (const l of links) l.send(W.MSG_IGNORE_REMOVE, nick);
    return this.#ignored.delete(nick.toLowerCase());
  }

  /** `/ignore clear` (326). */
  ignoreClear(links: readonly ServerLink[]): void {
    for (const l of links) l.send(W.MSG_IGNORE_CLEAR, '');
    this.#ignored.clear();
  }

  #isIgnored(nick: string): boolean {
    return this.#ignored.has(nick.toLowerCase());
  }

  /** Shows one server message nobody waited for. */
  onMessage(link: ServerLink, m: ServerMessage): void {
    switch (m.kind) {
      case 'privmsg':
        if (this.#isIgnored(m.from)) return;
        return this.#line('msg', m.from, `[msg] ${m.text}`, false);
      case 'channel-message':
        if (this.#isIgnored(m.nick)) return;
        return this.#line('msg', m.nick, `${m.channel}: ${m.text}`, m.nick.toLowerCase() === this.#nick().toLowerCase());
      case 'channel-emote':
        if (this.#isIgnored(m.nick)) return;
        return this.#line('action', m.nick, `${m.channel}: ${m.text}`, m.nick.toLowerCase() === this.#nick().toLowerCase());
      case 'ignore':
        return this.#notice(`${link.key}: ${IGNORE_WORDS[m.event](m.nick)}`);
      case 'ignore-count':
        return this.#notice(`${link.key}: ${m.event === 'list' ? `ignoring ${m.count} users` : `ignore list cleared (${m.count} removed)`}`);
      case 'channel-joined':
        this.#channels.add(m.channel);
        this.#currentChannel = m.channel;
        return this.#notice(`joined ${m.channel}`);
      case 'channel-parted':
        this.#channels.delete(m.channel);
        if (this.#currentChannel === m.channel) this.#currentChannel = [...this.#channels].pop();
        return this.#notice(`left ${m.channel}`);
      case 'channel-user':
        if (m.event === 'join') return this.#line('join', m.nick, m.channel, false);
        if (m.event === 'part') return this.#line('part', m.nick, m.channel, false);
        return this.#notice(`${m.channel}: ${m.nick} (${m.shared} files, speed ${m.speed})`);
      case 'topic':
        return this.#notice(`${m.channel} topic: ${m.topic}`);
      case 'channel-entry':
        return this.#notice(`${m.channel} (${m.users} users) ${m.topic}`);
      case 'whois':
        return this.#notice(`whois ${describeWhois(m.text, m.online)}`);
      case 'hotlist-signon':
        return this.#notice(`${m.nick} signed on (speed ${m.speed})`);
      case 'hotlist-signoff':
        return this.#notice(`${m.nick} signed off`);
      case 'notice':
        // opennap's answer to the 642 we send to refuse a direct browse (client-direct-browse.ts): nothing the user did.
        if (m.text === `Unknown command code ${W.MSG_DIRECT_BROWSE_ERROR}`) return;
        return this.#notice(`${link.key}: ${m.text}`);
      case 'ping':
        link.send(W.MSG_PONG, m.args ? `${m.nick} ${m.args}` : m.nick);
        return;
      case 'download-ack':
      case 'download-error':
      case 'queue-limit':
        return; // answers to a request that gave up waiting: nothing to show
      case 'data-port-error':
        return this.#notice(`${m.nick} could not reach our data port`);
      case 'disconnecting':
        return this.#notice(`${link.key} is disconnecting us`);
      case 'motd':
        return this.#notice(`${link.key}: ${m.line}`);
      case 'text':
        return this.#notice(`${link.key} [${m.type}] ${m.text}`);
      default:
        return; // stats, list ends and the rest carry nothing to show
    }
  }

  #line(kind: ChatLineKind, nick: string, text: string, self: boolean): void {
    this.#ctx.emit({
      type: 'chat.line',
      protocol: 'napster',
      kind,
      id: `napster-${++this.#seq}`,
      nick,
      text,
      origin: 'napster',
      at: this.#ctx.clock.now(),
      hops: 0,
      self,
    });
  }
}
