/**
 * A node offers chat lines as their received bytes (PluginContext.wireLines, issue 9) only
 * while every listener subscribed to take them (a `--json` printer): never while another
 * listener needs plain events (a TUI, a test), none listens, or events are held for later
 * (before `ready`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PeerdeckNode } from '../../src/node.js';
import type { PluginContext, ProtocolPlugin } from '../../src/plugin.js';

describe('PeerdeckNode wireLines', () => {
  it('is true only while every listener takes wire lines, and never while events are held', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'node-wire-'));
    let ctx: PluginContext | undefined;
    let whileStarting: boolean | undefined;
    const plugin: ProtocolPlugin = {
      name: 'probe',
      commands: [],
      async start(c) {
        ctx = c;
        whileStarting = c.wireLines?.();
      },
      async stop() {},
      async run() {
        return [];
      },
      status: () => ({ ports: {}, peers: 0 }),
    };
    const node = new PeerdeckNode({ dataDir: dir, nick: 'probe', plugins: [plugin] });
    try {
      const offPrinter = node.subscribe(() => undefined, { wireLines: true });
      await node.start();
      expect(whileStarting).toBe(false);
      const wire = (): boolean | undefined => ctx!.wireLines?.();
      expect(wire()).toBe(true);
      const offPlain = node.subscribe(() => undefined);
      expect(wire()).toBe(false);
      const offSecond = node.subscribe(() => undefined, { wireLines: true });
      expect(wire()).toBe(false);
      offPlain();
      expect(wire()).toBe(true);
      offSecond();
      offPrinter();
      expect(wire()).toBe(false);
      expect(ctx!.listened?.()).toBe(false);
    } finally {
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
