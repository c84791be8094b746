import type { AppApi, AppEvent, AppSnapshot, CommandSpec, PeerInfo, PluginStatus, SubscribeOptions } from './app-api.js';
import { systemClock, type Clock, type Timer } from './clock.js';
import { NetError } from './errors.js';
import { Logger, type LogSink, type LogEntry } from './log.js';
import { ConnectionManager } from './net/connection-manager.js';
import type { LinkLimits } from './net/limits.js';
import { HostCache } from './peers/host-cache.js';
import { join } from 'node:path';
import { ensureDir } from './paths.js';
import type { PluginContext, ProtocolPlugin } from './plugin.js';
import { SearchService, type SearchServiceOptions } from './search/search-service.js';
import { ShareLibrary } from './share/share-library.js';
import { TransferEngine } from './transfer/transfer-engine.js';
import { TRANSFER_STATE_FILE } from './transfer/transfer-state.js';
import { helpRows } from './help-text.js';
import { peerTableLines, unlinkedPeersNote } from './peer-table.js';

export interface NodeOptions {
  dataDir: string;
  nick: string;
  /** Started in this order, stopped in reverse. */
  plugins: ProtocolPlugin[];
  clock?: Clock;
  /** Where log lines go besides `log` events (e.g. a file). */
  logSinks?: LogSink[];
  logLevel?: LogEntry['level'];
  limits?: Partial<LinkLimits>;
  /** Called when the user asks to quit (`/quit`). */
  onQuit?: () => void;
  /** The shared files (default: an empty library). The files plugin starts and stops it. */
  share?: ShareLibrary;
  /** The transfer engine (default: downloads into `<dataDir>/downloads`). */
  transfers?: TransferEngine;
  /** Search limits (remembered hits, hits per search, ...). */
  search?: Partial<Omit<SearchServiceOptions, 'emit' | 'transfers'>>;
}

export const CORE = 'core';

/** How often changed host caches are written to the data dir. */
const HOST_CACHE_SAVE_MS = 30_000;

/** Events held back while plugins start (so `ready` comes first); more are dropped. */
const MAX_HELD_EVENTS = 10_000;

/** The commands the core answers itself (`/help`, `/peers`, `/quit`), with what `/help` shows of them. */
export const CORE_COMMANDS: CommandSpec[] = [
  { name: 'help', args: '[command]', help: 'list every command, or describe one' },
  { name: 'peers', args: '', help: 'list live links: address, protocol, direction, nick, uptime, bytes queued to send' },
  { name: 'quit', args: '[reason]', help: 'leave every network cleanly and exit; the other nodes see the reason' },
];

/**
 * The composition of core services and plugins behind the AppApi: the one thing
 * a UI (TUI, headless, tests) talks to.
 */
export class PeerdeckNode implements AppApi {
  readonly net: ConnectionManager;
  readonly log: Logger;
  readonly clock: Clock;
  readonly share: ShareLibrary;
  readonly transfers: TransferEngine;
  readonly search: SearchService;
  readonly #opts: NodeOptions;
  readonly #plugins: ProtocolPlugin[];
  readonly #listeners = new Set<(e: AppEvent) => void>();
  /** The listeners that subscribed with `wireLines` (SubscribeOptions). */
  readonly #wireListeners = new Set<(e: AppEvent) => void>();
  readonly #hostCaches = new Map<string, Promise<HostCache>>();
  readonly #started: ProtocolPlugin[] = [];
  #nick: string;
  #stopping: Promise<void> | undefined;
  #quitReason: string | undefined;
  #hostSaveTimer: Timer | undefined;
  /** Non-log events raised while starting; released right after `ready`. */
  #held: AppEvent[] | undefined;

  constructor(opts: NodeOptions) {
    this.#opts = opts;
    this.#plugins = opts.plugins;
    this.#nick = opts.nick;
    this.clock = opts.clock ?? systemClock;
    const eventSink: LogSink = (e) => this.#emit({ type: 'log', level: e.level, scope: e.scope, message: e.message });
    this.log = new Logger([...(opts.logSinks ?? []), eventSink], 'core', opts.logLevel ?? 'info');
    this.net = new ConnectionManager({ limits: opts.limits, clock: this.clock, log: this.log.child('net') });
    this.share = opts.share ?? new ShareLibrary({ roots: [], clock: this.clock, log: this.log.child('share') });
    this.transfers =
      opts.transfers ??
      new TransferEngine({
        downloadDir: join(opts.dataDir, 'downloads'),
        stateFile: join(opts.dataDir, TRANSFER_STATE_FILE),
        clock: this.clock,
        log: this.log.child('transfers'),
      });
    this.search = new SearchService({ clock: this.clock, log: this.log.child('search'), ...opts.search, emit: (e) => this.#emit(e), transfers: this.transfers });
    const names = new Set<string>();
    for (const p of this.#plugins) {
      if (p.name === CORE || names.has(p.name)) throw new Error(`duplicate plugin name ${p.name}`);
      names.add(p.name);
    }
  }

  get nick(): string {
    return this.#nick;
  }

  /**
   * Starts every plugin in order, then announces `ready` with the bound ports.
   * `ready` is always the first event: what plugins emit while starting is
   * held and delivered right after it.
   */
  async start(): Promise<void> {
    await ensureDir(this.#opts.dataDir);
    this.#held = [];
    try {
      for (const p of this.#plugins) {
        await p.start(this.#context(p));
        this.#started.push(p);
        if (p.files) this.search.register(p.name, p.files);
      }
      // Downloads the last run left come back once their protocols can revive them.
      await this.transfers.restore((saved) =>
        this.search.request(saved.protocol, {
          name: saved.name,
          size: saved.size ?? -1,
          source: saved.peer,
          ...(saved.sha1 !== undefined ? { sha1: saved.sha1 } : {}),
          ref: saved.ref,
        }),
      );
    } catch (err) {
      this.#held = undefined;
      throw err;
    }
    // Host caches are saved as they change, not only on a clean stop: a kill -9 forgets little.
    this.#hostSaveTimer = this.clock.setInterval(() => void this.#saveHostCaches(), HOST_CACHE_SAVE_MS);
    const held = this.#held;
    this.#held = undefined;
    this.#emit({ type: 'ready', ports: this.snapshot().ports });
    for (const e of held) this.#emit(e);
  }

  async run(plugin: string, command: string, args: string[]): Promise<string[]> {
    if (plugin === CORE) return this.#runCore(command, args);
    const p = this.#started.find((x) => x.name === plugin);
    if (!p) throw NetError.notFound(`no running protocol named ${plugin}`);
    if (!p.commands.some((c) => c.name === command)) throw NetError.notFound(`${plugin} has no command /${command} (try /help)`);
    return p.run(command, args);
  }

  resolve(command: string, preferred?: string): string | undefined {
    if (CORE_COMMANDS.some((c) => c.name === command)) return CORE;
    const owners = this.#started.filter((p) => p.commands.some((c) => c.name === command)).map((p) => p.name);
    if (preferred && owners.includes(preferred)) return preferred;
    return owners[0];
  }

  commands(): Array<{ plugin: string; commands: CommandSpec[] }> {
    return [{ plugin: CORE, commands: CORE_COMMANDS }, ...this.#started.map((p) => ({ plugin: p.name, commands: p.commands }))];
  }

  subscribe(listener: (event: AppEvent) => void, opts: SubscribeOptions = {}): () => void {
    this.#listeners.add(listener);
    if (opts.wireLines === true) this.#wireListeners.add(listener);
    return () => {
      this.#wireListeners.delete(listener);
      this.#listeners.delete(listener);
    };
  }

  snapshot(): AppSnapshot {
    const status: Record<string, PluginStatus> = {};
    const ports: Record<string, number> = {};
    const protocols = this.#started.filter((p) => !p.service);
    for (const p of protocols) {
      const s = p.status();
      status[p.name] = s;
      Object.assign(ports, s.ports);
    }
    return { nick: this.#nick, plugins: protocols.map((p) => p.name), ports, status, peers: this.peers() };
  }

  /** Live links: a plugin's own view where it has one (chat knows nicks), else the core's. */
  peers(): PeerInfo[] {
    const now = this.clock.now();
    const out: PeerInfo[] = [];
    const covered = new Set<string>();
    for (const p of this.#started) {
      if (!p.peers) continue;
      out.push(...p.peers());
      covered.add(p.name);
    }
    for (const c of this.net.all()) {
      if (covered.has(c.group)) continue;
      out.push({
        protocol: c.group,
        address: c.address,
        direction: c.direction,
        ...(c.nick ? { nick: c.nick } : {}),
        uptimeMs: now - c.openedAt,
        queuedBytes: c.queuedBytes,
      });
    }
    return out;
  }

  /**
   * Stops plugins in reverse start order, then closes whatever is left. Idempotent.
   * `reason` (or the one given to `/quit`) is told to the other nodes where a protocol can.
   */
  stop(reason?: string): Promise<void> {
    const why = reason ?? this.#quitReason;
    this.#stopping ??= (async () => {
      for (const p of [...this.#started].reverse()) {
        if (p.files) this.search.unregister(p.name);
        try {
          await p.stop(why);
        } catch (err) {
          this.log.error(`stopping ${p.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      this.#started.length = 0;
      this.#hostSaveTimer?.cancel();
      await this.search.stop();
      await this.net.close();
      await this.#saveHostCaches();
    })();
    return this.#stopping;
  }

  async #saveHostCaches(): Promise<void> {
    for (const hc of this.#hostCaches.values()) {
      await (await hc).save().catch((err: unknown) => this.log.warn(`cannot save a host cache: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  #context(p: ProtocolPlugin): PluginContext {
    return {
      net: this.net,
      clock: this.clock,
      log: this.log.child(p.name),
      dataDir: this.#opts.dataDir,
      nick: this.#nick,
      emit: (e) => this.#emit(e),
      listened: () => this.#listeners.size > 0 || this.#held !== undefined,
      wireLines: () => this.#held === undefined && this.#listeners.size > 0 && this.#wireListeners.size === this.#listeners.size,
      share: this.share,
      transfers: this.transfers,
      search: this.search,
      run: (plugin, command, args) => this.run(plugin, command, args),
      hostCache: (name = p.name) => {
        let hc = this.#hostCaches.get(name);
        if (!hc) {
          hc = HostCache.open(this.#opts.dataDir, name, { clock: this.clock });
          this.#hostCaches.set(name, hc);
        }
        return hc;
      },
    };
  }

  #emit(e: AppEvent): void {
    if (this.#held && e.type !== 'log') {
      if (this.#held.length < MAX_HELD_EVENTS) this.#held.push(e);
      return;
    }
    if (e.type === 'nick') this.#nick = e.nick;
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        // A broken subscriber must not break the network; report it once through stderr-free channels.
        if (e.type !== 'log') this.log.error(`event subscriber failed on ${e.type}: ${String(err)}`);
      }
    }
  }

  async #runCore(command: string, args: string[]): Promise<string[]> {
    switch (command) {
      case 'help':
        return helpLines(this.commands(), args[0]);
      case 'peers':
        return peerLines(this.peers(), unlinkedPeersNote(this.snapshot().status));
      case 'quit':
        // `/quit gone fishing`: the reason goes to the other nodes when we stop.
        if (args.length > 0) this.#quitReason = args.join(' ');
        this.#opts.onQuit?.();
        return [];
      default:
        throw NetError.notFound(`unknown command /${command} (try /help)`);
    }
  }
}

/**
 * `/help` as headless mode prints it: the layout the TUI shows (src/help-text.ts), commands
 * grouped under their owner. Throws NOT_FOUND for a topic nobody has.
 */
export function helpLines(groups: Array<{ plugin: string; commands: CommandSpec[] }>, only?: string): string[] {
  const rows = helpRows(groups, only);
  if (typeof rows === 'string') throw NetError.notFound(rows);
  return rows.map((r) => r.text);
}

/** `/peers` as headless mode prints it: the TUI's table, columns and titles (src/peer-table.ts). */
export function peerLines(peers: PeerInfo[], note?: string): string[] {
  return peerTableLines(peers, note);
}
