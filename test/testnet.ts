/**
 * `testnet(n, plugins)`: N real peerdeck nodes in this process, each with its own
 * temp data dir, listening on 127.0.0.1 port 0. Tests assert on the AppEvents a
 * user would see. Everything is torn down by `net.stop()`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import type { AppEvent, AppEventType, EventOf } from '../src/app-api.js';
import { PeerdeckNode, type NodeOptions } from '../src/node.js';
import type { ProtocolPlugin } from '../src/plugin.js';

export interface TestNode {
  index: number;
  node: PeerdeckNode;
  dataDir: string;
  events: AppEvent[];
  /** Events of one type seen so far. */
  of<T extends AppEventType>(type: T): EventOf<T>[];
  /** Waits until `pred` holds over this node's events. */
  waitFor(pred: (events: AppEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface Testnet {
  nodes: TestNode[];
  stop(): Promise<void>;
}

export interface TestnetOptions {
  nickPrefix?: string;
  /** Extra node options (clock, limits...). */
  node?: Partial<Omit<NodeOptions, 'plugins' | 'dataDir' | 'nick'>>;
  /** Start nodes one after another (default) or all at once. */
  parallel?: boolean;
  /** Per-node options that need the node's data dir (a share library, a transfer engine). */
  nodeFor?: (index: number, dataDir: string) => Partial<Omit<NodeOptions, 'plugins' | 'dataDir' | 'nick'>>;
}

export async function startTestNode(
  index: number,
  makePlugins: (index: number, dataDir: string, nick: string) => ProtocolPlugin[],
  opts: TestnetOptions = {},
): Promise<TestNode> {
  const dataDir = await mkdtemp(join(tmpdir(), 'peerdeck-test-'));
  const nick = `${opts.nickPrefix ?? 'n'}${index}`;
  const node = new PeerdeckNode({ dataDir, nick, plugins: makePlugins(index, dataDir, nick), ...opts.node, ...opts.nodeFor?.(index, dataDir) });
  const events: AppEvent[] = [];
  node.subscribe((e) => events.push(e));
  await node.start();
  let stopped = false;
  return {
    index,
    node,
    dataDir,
    events,
    of: <T extends AppEventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type),
    waitFor: (pred, timeoutMs = 10_000) =>
      vi.waitFor(
        () => {
          if (!pred(events)) throw new Error(`node ${index}: condition not met yet`);
        },
        { timeout: timeoutMs, interval: 10 },
      ),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await node.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function testnet(
  n: number,
  makePlugins: (index: number, dataDir: string, nick: string) => ProtocolPlugin[],
  opts: TestnetOptions = {},
): Promise<Testnet> {
  const nodes: TestNode[] = [];
  try {
    if (opts.parallel) {
      nodes.push(...(await Promise.all(Array.from({ length: n }, (_, i) => startTestNode(i, makePlugins, opts)))));
    } else {
      for (let i = 0; i < n; i++) nodes.push(await startTestNode(i, makePlugins, opts));
    }
  } catch (err) {
    await Promise.all(nodes.map((x) => x.stop()));
    throw err;
  }
  return {
    nodes,
    stop: async () => {
      await Promise.all(nodes.map((x) => x.stop()));
    },
  };
}

/** The ports a node announced in its `ready` event. */
export function portOf(t: TestNode, name: string): number {
  const ready = t.of('ready')[0];
  const port = ready?.ports[name];
  if (port === undefined) throw new Error(`node ${t.index} has no ${name} port`);
  return port;
}
