import type { AppEvent, CommandSpec, PeerInfo, PluginStatus } from './app-api.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import type { ConnectionManager } from './net/connection-manager.js';
import type { HostCache } from './peers/host-cache.js';

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
  /** A persisted host cache for this plugin, loaded from the data dir. */
  hostCache(name?: string): Promise<HostCache>;
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
  stop(): Promise<void>;
  /** Runs one of `commands`; returns lines for the user. Throw NetError('USAGE') on bad arguments. */
  run(command: string, args: string[]): Promise<string[]>;
  status(): PluginStatus;
  /** Live links, for `/peers` (the core fills protocol-agnostic fields when absent). */
  peers?(): PeerInfo[];
}
