import type { Socket } from 'node:net';
import { NetError, toNetError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { encodeBrowseList, encodeSendList, type BrowseList } from './client-browse-list.js';
import type { DataPortService } from './client-data-port-service.js';
import type { ServerLink } from './client-link.js';
import type { ServerMessage } from './client-server-messages.js';
import * as W from './constants.js';

/** What direct browse needs from the client. */
export interface DirectBrowseDeps {
  data: DataPortService;
  log: Logger;
  nick(): string;
  /** Our share lines (type-100 payloads) as the given server has them. */
  shareLines(link: ServerLink): Iterable<string>;
  /** Whether we let others browse us directly (`--napster-no-direct-browse` says no). */
  allow: boolean;
  notice(text: string): void;
  timeoutMs: number;
}

const lower = (s: string): string => s.toLowerCase();

/**
 * Direct browse (napster.md §4.1 640/641/642, §6.2): a user's list straight
 * from their client instead of the server's index. As the requester: 640 ->
 * the browsee's 641 with its data port -> `1`, GETLIST, the list; or, when the
 * browsee is firewalled, it connects to our data port and pushes the list
 * after SENDLIST. As the browsee: a 640 is accepted with 641 (our data port
 * then answers GETLIST), or, when we are firewalled and the server gave the
 * requester's address, we connect out and push the list. The server's 642 and
 * 404 end a request with its message.
 */
export class DirectBrowse {
  readonly #d: DirectBrowseDeps;

  constructor(deps: DirectBrowseDeps) {
    this.#d = deps;
  }

  /** Asks `nick` for its list through `link`; rejects with the server's or the peer's reason. */
  async request(link: ServerLink, nick: string, signal: AbortSignal): Promise<BrowseList> {
    const who = lower(nick);
    const ac = new AbortController();
    const stop = (): void => ac.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    try {
      const answer = link.expect(
        (m: ServerMessage) => {
          if (m.kind === 'direct-browse-accept' && lower(m.nick) === who) return m;
          if (m.kind === 'direct-browse-error' && lower(m.nick) === who) return m;
          if (m.kind === 'notice' && /is not currently online|not a known user/i.test(m.text)) return { kind: 'offline' as const, text: m.text };
          return undefined;
        },
        this.#d.timeoutMs,
        `the direct browse of ${nick}`,
        ac.signal,
      );
      // A firewalled browsee pushes its list to our data port instead of answering 641.
      const pushed = this.#d.data.port ? this.#d.data.expectListPush(nick, this.#d.timeoutMs, ac.signal) : undefined;
      // The one that loses the race is rejected by the abort in `finally`: that is expected, not an error.
      answer.catch(() => undefined);
      pushed?.catch(() => undefined);
      if (!link.send(W.MSG_DIRECT_BROWSE, nick)) throw NetError.closed(`not connected to ${link.key}`);
      const first = await Promise.race(pushed ? [answer, pushed.then((list) => ({ kind: 'pushed' as const, list }))] : [answer]);
      switch (first.kind) {
        case 'pushed':
          return first.list;
        case 'offline':
          throw NetError.notFound(`${nick}: ${first.text}`);
        case 'direct-browse-error':
          throw NetError.refused(first.text || `${nick} cannot be browsed directly`);
        case 'direct-browse-accept':
          if (first.port === 0) throw NetError.refused(`${nick} accepted but has no data port`);
          return await this.#d.data.openBrowse(first.ip, first.port, this.#d.timeoutMs, ac.signal);
      }
    } finally {
      signal.removeEventListener('abort', stop);
      ac.abort(NetError.closed('direct browse over'));
    }
  }

  /** A 640 for us (§4.1): accept with 641, or push the list when we are firewalled and were given the requester's address. */
  onRequest(link: ServerLink, m: Extract<ServerMessage, { kind: 'direct-browse-request' }>): void {
    if (!this.#d.allow) {
      this.#refuse(link, m.nick, `${this.#d.nick()} does not allow direct browsing`);
      this.#d.notice(`${m.nick} asked to browse your files directly; refused (--napster-no-direct-browse)`);
      return;
    }
    if (m.port === undefined) {
      // The server thought we had a data port, but it is not listening.
      if (!this.#d.data.port) return this.#refuse(link, m.nick, `${this.#d.nick()} cannot be reached for a direct browse`);
      link.send(W.MSG_DIRECT_BROWSE_ACCEPT, m.nick);
      this.#d.log.info(`${link.key}: ${m.nick} browses our files directly`);
      return;
    }
    const body = encodeSendList(this.#d.nick(), this.#d.shareLines(link));
    this.#d.data.pushList(m.ip ?? '0.0.0.0', m.port, body).catch((err: unknown) => {
      this.#d.log.info(`direct browse push to ${m.nick}: ${toNetError(err).message}`);
    });
  }

  /**
   * Tells the requester at once that its browse will not happen: a 642 the
   * server relays (peerdeck's server does; opennap answers `Unknown command
   * code 642`, which the chat view drops, and its requester waits out its timer).
   */
  #refuse(link: ServerLink, requester: string, reason: string): void {
    link.send(W.MSG_DIRECT_BROWSE_ERROR, `${requester} "${reason.replaceAll('"', "'")}"`);
  }

  /** GETLIST on our data port: the list as the first logged-in server has it, then the end. */
  serveList(link: ServerLink | undefined, socket: Socket): void {
    if (!this.#d.allow || !link) {
      socket.end();
      return;
    }
    socket.end(encodeBrowseList(this.#d.nick(), this.#d.shareLines(link)));
  }
}
