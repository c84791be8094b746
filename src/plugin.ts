import type { AppEvent, CommandSpec, PeerInfo, PluginStatus } from './app-api.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import type { ConnectionManager } from './net/connection-manager.js';
import type { HostCache } from './peers/host-cache.js';
import type { FileProtocol } from './search/file-protocol.js';
import type { SearchService } from './search/search-service.js';
import type { ShareLibrary } from './share/share-library.js';
import type { TransferEngine } from './transfer/transfer-engine.js';

/**
 * What the core hands a protocol plugin when it starts. Plugins reach the
 * network only through `net` (typed connection groups), the UI only through `emit`.
 */
export interface PluginContext {
  readonly net: ConnectionManager;
  readonly clock: Clock;
  readonly log: Logger;
  readonly dataDir: string;
  /** The user's nick as configured at start-up. */
  readonly nick: string;
  emit(event: AppEvent): void;
  /**
   * Whether an event emitted now reaches anyone (a UI, a headless printer, a test). A
   * plugin may skip building an event per relayed message when it does not (issue 9).
   */
  listened?(): boolean;
  /**
   * Whether every listener takes `chat.line` events that still hold their received bytes
   * (src/wire-chat-line.ts; a `--json` printer): a relay then does not decode each line's id
   * and text only for them to be encoded again (issue 9).
   */
  wireLines?(): boolean;
  /** A persisted host cache for this plugin, loaded from the data dir. */
  hostCache(name?: string): Promise<HostCache>;
  /** The user's shared files (serve from it; the files service starts it). */
  readonly share: ShareLibrary;
  /** The one transfer engine: every protocol's downloads and uploads. */
  readonly transfers: TransferEngine;
  /** The one owner of searches and result numbers (a file protocol needs it only to read hits back). */
  readonly search: SearchService;
  /**
   * Runs another running plugin's command, as the user would (`AppApi.run`): how one
   * protocol asks another to act without importing it (an accepted People Near Me
   * invitation logs in to a Napster index or adds a P+2 peer). Rejects with NOT_FOUND when
   * that plugin is not running or has no such command.
   */
  run(plugin: string, command: string, args: string[]): Promise<string[]>;
}

/**
 * A protocol, as a factory's product: the node starts plugins in order and stops
 * them in reverse; `stop()` must close every socket and timer the plugin owns.
 */
export interface ProtocolPlugin {
  readonly name: string;
  readonly commands: CommandSpec[];
  /**
   * A service (the transfer engine) rather than a network protocol: its commands
   * route like any other, but UIs give it no protocol tab or status-bar entry.
   */
  readonly service?: boolean;
  start(ctx: PluginContext): Promise<void>;
  /** `reason`: why the user quit (`/quit reason`), for protocols that tell their peers. */
  stop(reason?: string): Promise<void>;
  /** Runs one of `commands`; returns lines for the user. Throw NetError('USAGE') on bad arguments. */
  run(command: string, args: string[]): Promise<string[]>;
  status(): PluginStatus;
  /** Live links, for `/peers` (the core fills protocol-agnostic fields when absent). */
  peers?(): PeerInfo[];
  /**
   * A file-sharing protocol: the node registers it with the search service
   * once `start` resolves and unregisters it before `stop`, so `/search` asks
   * it and `/get N` downloads through it.
   */
  readonly files?: FileProtocol;
}
