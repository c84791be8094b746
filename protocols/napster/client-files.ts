import type { Socket } from 'node:net';
import type { Timer, Clock } from '../../src/clock.js';
import { NetError, toNetError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { ShareLibrary } from '../../src/share/share-library.js';
import type { ResolvedEntry } from '../../src/share/share-entry.js';
import type { Release } from '../../src/transfer/slot-limiter.js';
import type { TransferEngine } from '../../src/transfer/transfer-engine.js';
import type { DownloadSource } from '../../src/transfer/transfer-types.js';
import * as C from './client-constants.js';
import * as W from './constants.js';
import type { DataPortService, IncomingGet, OpenedStream } from './client-data-port-service.js';
import type { ServerLink } from './client-link.js';
import { buildSearch, type NapSearchSpec } from './client-search-query.js';
import type { NapFile, NapPeerAddress, ServerMessage } from './client-server-messages.js';
import { relPathOfWire } from './client-share-list.js';
import { fromWire } from './messages.js';

/** What a Napster hit needs to be downloaded later, also after a restart (JSON-serialisable). */
export interface NapsterRef {
  server: string;
  nick: string;
  wirePath: string;
  size: number;
}

/** One Napster hit as the client reports it. */
export interface NapsterHit {
  name: string;
  size: number;
  /** The holder's nick. */
  source: string;
  speed: number;
  ref: NapsterRef;
}

/** The display name of a Napster path: its last component, `\` or `/` separated. */
export function displayName(wirePath: string): string {
  const text = fromWire(wirePath);
  return text.slice(Math.max(text.lastIndexOf('/'), text.lastIndexOf('\\')) + 1) || text;
}

interface Grant {
  link: ServerLink;
  entry: ResolvedEntry;
  slot: Release;
  timer: Timer;
}

/** What the files half needs from the client. */
export interface FilesDeps {
  share: ShareLibrary;
  transfers: TransferEngine;
  data: DataPortService;
  clock: Clock;
  log: Logger;
  nick(): string;
  link(server: string): ServerLink | undefined;
  notice(text: string): void;
  /** The queue limit we tell downloaders in 619. */
  queueLimit: number;
  timeouts: C.ClientTimeouts;
}

/** How long a finished upload's socket may wait for the downloader to close it. */
const UPLOAD_LINGER_MS = 10_000;
const lower = (s: string): string => s.toLowerCase();
const grantKey = (nick: string, wirePath: string): string => `${lower(nick)}\u0000${wirePath}`;

/**
 * Searching, downloading and uploading over Napster (napster.md §5, §6):
 * searches through each logged-in server, downloads as a DownloadSource for
 * the transfer engine (203 -> 204 -> GET, or 500 -> push), and uploads only of
 * files the share library resolves, after a 607 we granted with 608.
 */
export class NapsterFiles {
  readonly #d: FilesDeps;
  readonly #grants = new Map<string, Grant>();

  constructor(deps: FilesDeps) {
    this.#d = deps;
  }

  stop(): void {
    for (const g of this.#grants.values()) this.#drop(g);
    this.#grants.clear();
  }

  /**
   * One search on one server (§5): 201s until the 202 that always ends it,
   * at most MAX_HITS_PER_SEARCH kept (a hostile server's flood is read and
   * dropped), 404s reported. Resolves with the number of hits.
   */
  async search(link: ServerLink, spec: NapSearchSpec, sink: (hit: NapsterHit) => void, signal?: AbortSignal): Promise<number> {
    let hits = 0;
    await link.query({
      send: { type: W.MSG_SEARCH, text: buildSearch(spec) },
      timeoutMs: this.#d.timeouts.searchMs,
      signal,
      take: (msg) => {
        if (msg.kind === 'search-end') return 'end';
        if (msg.kind === 'notice') {
          this.#d.notice(`search on ${link.key}: ${msg.text}`);
          return 'more';
        }
        if (msg.kind !== 'search-result') return 'no';
        if (hits < C.MAX_HITS_PER_SEARCH && !signal?.aborted) {
          hits++;
          sink(this.hit(link, msg.file, msg.nick, msg.speed));
        }
        return 'more';
      },
    });
    return hits;
  }

  /** A user's shared files through the server (211 -> 212* -> 213), as hits. */
  async browse(link: ServerLink, nick: string, sink: (hit: NapsterHit) => void, signal?: AbortSignal): Promise<number> {
    let hits = 0;
    const who = lower(nick);
    await link.query({
      send: { type: W.MSG_BROWSE, text: nick },
      timeoutMs: this.#d.timeouts.queryMs,
      signal,
      take: (msg) => {
        if (msg.kind === 'browse-end' && lower(msg.nick) === who) return 'end';
        if (msg.kind === 'hotlist-signoff' && lower(msg.nick) === who) {
          this.#d.notice(`${nick} is not online`);
          return 'more';
        }
        if (msg.kind !== 'browse-entry' || lower(msg.nick) !== who) return 'no';
        if (hits < C.MAX_BROWSE_ENTRIES) {
          hits++;
          sink(this.hit(link, msg.file, msg.nick, 0));
        }
        return 'more';
      },
    });
    return hits;
  }

  /** A file from a search, a browse or a direct browse as a hit that /get can download. */
  hit(link: ServerLink, file: NapFile, nick: string, speed: number): NapsterHit {
    return {
      name: displayName(file.wirePath),
      size: file.size,
      source: nick,
      speed,
      ref: { server: link.key, nick, wirePath: file.wirePath, size: file.size },
    };
  }

  /** A download source for a hit or a persisted ref: every open() asks the server again. */
  source(ref: NapsterRef): DownloadSource {
    return { open: (offset, signal) => this.#open(ref, offset, signal) };
  }

  async #open(ref: NapsterRef, offset: number, signal: AbortSignal): Promise<OpenedStream> {
    const link = this.#d.link(ref.server);
    if (!link) throw NetError.closed(`not logged in to ${ref.server}`);
    await link.whenOnline(signal);
    const who = lower(ref.nick);
    const same = (nick: string, path: string): boolean => lower(nick) === who && path === ref.wirePath;
    const answer = link.expect(
      (m) =>
        (m.kind === 'download-ack' && same(m.peer.nick, m.peer.wirePath)) ||
        ((m.kind === 'download-error' || m.kind === 'queue-limit') && same(m.nick, m.wirePath))
          ? m
          : undefined,
      this.#d.timeouts.requestMs,
      `the download request for ${displayName(ref.wirePath)}`,
      signal,
    );
    link.send(W.MSG_DOWNLOAD, `${ref.nick} "${ref.wirePath}"`);
    const m = await answer;
    if (m.kind === 'download-error') throw NetError.notFound(`${ref.nick} is offline or no longer shares ${displayName(ref.wirePath)} (206)`);
    if (m.kind === 'queue-limit') throw NetError.limit(`${ref.nick}'s upload queue is full (limit ${m.limit}); /retry later`);
    if (m.kind !== 'download-ack') throw NetError.protocol('unexpected answer');
    let opened: OpenedStream;
    if (m.peer.port !== 0) {
      // §6.3: TekNap ignores the GET offset and streams the whole file; ask who it is before resuming.
      const fromStart = offset > 0 && (await this.#ignoresOffset(link, ref.nick, signal));
      opened = await this.#direct(m.peer, ref, offset, signal);
      if (fromStart) opened = { ...opened, start: 0 };
    } else opened = await this.#push(link, ref, offset, signal);
    link.send(W.MSG_DOWNLOADING, '');
    let counted = false;
    const done = (): void => {
      if (!counted) link.send(W.MSG_DOWNLOAD_DONE, '');
      counted = true;
    };
    // All bytes are read at 'end'; the socket is ours to close (it is detached, nobody else will).
    opened.stream.once('end', () => {
      done();
      setImmediate(() => opened.stream.destroy());
    });
    opened.stream.once('close', done);
    return opened;
  }

  /** Whether the holder's client is one that streams from byte 0 whatever offset it is asked for (TekNap, §6.3). */
  async #ignoresOffset(link: ServerLink, nick: string, signal: AbortSignal): Promise<boolean> {
    const who = lower(nick);
    const answer = link.expect((m) => (m.kind === 'whois' && lower(m.nick) === who ? m.client : undefined), this.#d.timeouts.queryMs, `whois ${nick}`, signal);
    link.send(W.MSG_WHOIS, nick);
    try {
      return /teknap/i.test(await answer);
    } catch {
      return false; // no answer: trust the offset; the size check catches a wrong guess
    }
  }

  #direct(peer: NapPeerAddress, ref: NapsterRef, offset: number, signal: AbortSignal): Promise<OpenedStream> {
    return this.#d.data.openGet(peer.ip, peer.port, this.#d.nick(), ref.wirePath, offset, ref.size, signal).catch((err: unknown) => {
      const e = toNetError(err);
      if (e.code === 'SOCKET' || e.code === 'TIMEOUT') this.#d.link(ref.server)?.send(W.MSG_DATA_PORT_ERROR, ref.nick);
      throw e;
    });
  }

  /** §6.1 push: 500, then the holder connects to our data port; both firewalled fails at once with the server's word. */
  async #push(link: ServerLink, ref: NapsterRef, offset: number, signal: AbortSignal): Promise<OpenedStream> {
    const ac = new AbortController();
    const both = AbortSignal.any([signal, ac.signal]);
    const who = lower(ref.nick);
    const refusal = link
      .expect(
        (m: ServerMessage) => {
          if (m.kind === 'download-ack' && lower(m.peer.nick) === who && m.peer.wirePath === ref.wirePath && m.peer.md5 === 'firewallerror') {
            return `${ref.nick} and you are both firewalled: no download possible (server: firewallerror)`;
          }
          if (m.kind === 'notice' && lower(m.text).startsWith(`${who} is not firewalled`)) return `server: ${m.text}`;
          return undefined;
        },
        this.#d.timeouts.pushMs,
        'the push request',
        both,
      )
      .then(
        (text) => Promise.reject(NetError.refused(text)),
        () => new Promise<never>(() => undefined),
      );
    const pushed = this.#d.data.expectPush(ref.nick, ref.wirePath, ref.size, offset, both);
    link.send(W.MSG_PUSH, `${ref.nick} "${ref.wirePath}"`);
    try {
      return await Promise.race([pushed, refusal]);
    } finally {
      ac.abort(NetError.closed('push settled'));
      pushed.catch(() => undefined);
    }
  }

  /**
   * A 607 (§6.1): answer 608 when the file is ours and an upload slot is free
   * (the slot is held until the GET or push comes, or the grant expires), 619
   * with our queue limit when none is; a file we do not share gets no answer.
   */
  async onUploadRequest(link: ServerLink, nick: string, wirePath: string): Promise<void> {
    const entry = await this.#d.share.resolveRemoteName(relPathOfWire(wirePath), { allowSubpath: true });
    if (entry instanceof NetError) {
      this.#d.log.info(`607 from ${nick} for a file we do not share (${entry.code})`);
      return;
    }
    const key = grantKey(nick, wirePath);
    const old = this.#grants.get(key);
    if (old) this.#drop(old);
    const slot = this.#grants.size < C.MAX_PENDING_GRANTS ? this.#d.transfers.tryUploadSlot(lower(nick)) : undefined;
    if (!slot) {
      link.send(W.MSG_QUEUE_LIMIT, `${nick} "${wirePath}" ${this.#d.queueLimit}`);
      return;
    }
    const timer = this.#d.clock.setTimeout(() => {
      if (this.#grants.get(key) === grant) this.#grants.delete(key);
      this.#drop(grant);
    }, this.#d.timeouts.grantMs);
    const grant: Grant = { link, entry, slot, timer };
    this.#grants.set(key, grant);
    link.send(W.MSG_UPLOAD_ACCEPT, `${nick} "${wirePath}"`);
  }

  /** A GET on our data port: only for a grant we gave, only the file the library resolves. */
  serveGet(req: IncomingGet, socket: Socket): void {
    const key = grantKey(req.nick, req.wirePath);
    const grant = this.#grants.get(key);
    if (!grant) {
      this.#d.log.info(`GET from ${req.nick} without a 607/608 first: refused`);
      socket.end('INVALID REQUEST');
      return;
    }
    this.#grants.delete(key);
    grant.timer.cancel();
    if (req.offset > grant.entry.size) {
      grant.slot();
      socket.end('INVALID REQUEST');
      return;
    }
    // §6.2: the total size with exactly the digits we shared it with, then the bytes from the offset.
    socket.write(String(grant.entry.size));
    void this.#upload(grant, req.nick, socket, req.offset);
  }

  /** A 501 (§6.1): we are firewalled; connect to the downloader and push the file it asked for. */
  async onPushRequest(link: ServerLink, peer: NapPeerAddress): Promise<void> {
    const key = grantKey(peer.nick, peer.wirePath);
    const grant = this.#grants.get(key);
    if (!grant) {
      this.#d.log.info(`501 from ${peer.nick} without a 607 we accepted: ignored`);
      return;
    }
    this.#grants.delete(key);
    grant.timer.cancel();
    try {
      const { socket, offset } = await this.#d.data.openPush(peer.ip, peer.port, this.#d.nick(), peer.wirePath, grant.entry.size);
      await this.#upload(grant, peer.nick, socket, offset);
    } catch (err) {
      grant.slot();
      link.send(W.MSG_DATA_PORT_ERROR, peer.nick);
      this.#d.notice(`push to ${peer.nick} failed: ${toNetError(err).message}`);
    }
  }

  async #upload(grant: Grant, nick: string, socket: Socket, offset: number): Promise<void> {
    const e = grant.entry;
    grant.link.send(W.MSG_UPLOADING, '');
    try {
      await this.#d.transfers.upload({ path: e.realPath, name: e.name, peer: lower(nick), protocol: 'napster', sink: socket, start: offset, sha1: e.sha1 ?? null }, grant.slot);
    } catch (err) {
      this.#d.log.info(`upload of ${e.name} to ${nick} failed: ${toNetError(err).message}`);
      socket.destroy();
    } finally {
      grant.link.send(W.MSG_UPLOAD_DONE, '');
      // The downloader closes after the last byte; one that never does is cut off after a grace period.
      socket.resume();
      const linger = this.#d.clock.setTimeout(() => socket.destroy(), UPLOAD_LINGER_MS);
      socket.once('close', () => linger.cancel());
      if (socket.destroyed) linger.cancel();
    }
  }

  #drop(g: Grant): void {
    g.timer.cancel();
    g.slot();
  }
}
