/**
 * The Napster protocol's part of peerdeck's command line: the flag specs,
 * usage and parsers of options.ts (server) and client-options.ts (client),
 * composed by src/main.ts through src/config.ts, plus the room a server needs
 * in the global link limits.
 */
import type { ProtocolFlags } from '../../src/flags.js';
import { DEFAULT_GLOBAL_LIMITS } from '../../src/net/connection-manager.js';
import { NAPSTER_CLIENT_FLAGS, NAPSTER_CLIENT_USAGE, parseNapsterClientFlags } from './client-options.js';
import { NAPSTER_FLAGS, NAPSTER_USAGE, parseNapsterFlags } from './options.js';

/** `--napster-server` and its settings (see options.ts); `--napster host:port` and the client's (client-options.ts). */
export const napsterFlags: ProtocolFlags = {
  name: 'napster',
  options: { ...NAPSTER_FLAGS, ...NAPSTER_CLIENT_FLAGS },
  usage: NAPSTER_USAGE + NAPSTER_CLIENT_USAGE,
  parse(values) {
    const server = parseNapsterFlags(values);
    const client = parseNapsterClientFlags(values);
    if (!server && !client) return { plugins: async () => [] };
    return {
      // The server's and client's code loads only when one of them runs.
      plugins: async () => [(await import('./index.js')).createNapsterPlugin({ server, client })],
      // Room for the server's users on top of everything else (its own caps apply per group).
      ...(server
        ? {
            limits: {
              maxInbound: DEFAULT_GLOBAL_LIMITS.maxInbound + server.maxConnections,
              perIp: server.maxClones === 0 ? Infinity : Math.max(DEFAULT_GLOBAL_LIMITS.perIp, server.maxClones),
            },
          }
        : {}),
    };
  },
};
