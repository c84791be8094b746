/**
 * A tiny first plugin for test nodes that share files: it writes the files
 * into the share folder when the node starts, before the share library (a
 * later plugin) scans it. Names may hold `/` for files in subfolders.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ProtocolPlugin } from '../src/plugin.js';

export function shareFixturePlugin(shareDir: string, files: Record<string, Buffer | string>): ProtocolPlugin {
  return {
    name: 'fixture',
    commands: [],
    async start() {
      await mkdir(shareDir, { recursive: true });
      for (const [name, data] of Object.entries(files)) {
        const path = join(shareDir, name);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, data);
      }
    },
    async stop() {},
    async run() {
      return [];
    },
    status: () => ({ ports: {}, peers: 0 }),
  };
}
