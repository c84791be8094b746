/**
 * The Napster protocol's part of peerdeck's command line: the flag specs,
 * usage and parser of options.ts, composed by src/main.ts through
 * src/config.ts, plus the room a server needs in the global link limits.
 */
import type { ProtocolFlags } from '../../src/flags.js';
import { DEFAULT_GLOBAL_LIMITS } from '../../src/net/connection-manager.js';
import { createNapsterPlugin } from './index.js';
import { NAPSTER_FLAGS, NAPSTER_USAGE, parseNapsterFlags } from './options.js';

/** `--napster-server` and its settings (see options.ts). */
export const napsterFlags: ProtocolFlags = {
  name: 'napster',
  options: NAPSTER_FLAGS,
  usage: NAPSTER_USAGE,
  parse(values) {
    const server = parseNapsterFlags(values);
    if (!server) return { plugins: () => [] };
    return {
      plugins: () => [createNapsterPlugin({ server })],
      // Room for the server's users on top of everything else (its own caps apply per group).
      limits: {
        maxInbound: DEFAULT_GLOBAL_LIMITS.maxInbound + server.maxConnections,
        perIp: server.maxClones === 0 ? Infinity : Math.max(DEFAULT_GLOBAL_LIMITS.perIp, server.maxClones),
      },
    };
  },
};
