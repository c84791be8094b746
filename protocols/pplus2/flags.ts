/**
 * The P+2 protocol's command-line flags (README "Sharing, transfers and
 * P+2"), composed into peerdeck's command line by src/main.ts through
 * src/config.ts. P+2 runs only when `--pplus2-port` is given.
 */
import { NetError } from '../../src/errors.js';
import { flagHost, flagList, flagPort, type FlagValues, type ProtocolFlags } from '../../src/flags.js';
import { parsePeerAddress } from './codec.js';
import type { Pplus2PluginOptions } from './index.js';

/** Highest base port: P+2 needs p, p+1 and p+2 below 65536. */
const MAX_BASE_PORT = 65533;

/** Reads the P+2 flags back: the plugin options, or undefined without `--pplus2-port`. Throws NetError('USAGE'). */
export function parsePplus2Flags(v: FlagValues): Pplus2PluginOptions | undefined {
  const port = flagPort(v, 'pplus2-port');
  const host = flagHost(v, 'pplus2-host');
  const peers = flagList(v, 'pplus2-peer');
  for (const p of peers) if (!parsePeerAddress(p)) throw NetError.usage(`--pplus2-peer: not an IP:PORT (a literal IPv4 or [IPv6] address, port 1-${MAX_BASE_PORT}): ${p}`);
  if (port === undefined) {
    if (host !== undefined || peers.length > 0) throw NetError.usage(`--${host !== undefined ? 'pplus2-host' : 'pplus2-peer'} needs --pplus2-port`);
    return undefined;
  }
  if (port > MAX_BASE_PORT) throw NetError.usage('--pplus2-port: P+2 needs P, P+1 and P+2 below 65536');
  return { port, peers, ...(host !== undefined ? { host } : {}) };
}

/** `--pplus2-port`, `--pplus2-host`, `--pplus2-peer`. */
export const pplus2Flags: ProtocolFlags = {
  name: 'pplus2',
  options: {
    'pplus2-port': { type: 'string' },
    'pplus2-host': { type: 'string' },
    'pplus2-peer': { type: 'string', multiple: true },
  },
  usage: `  --pplus2-port P            run P+2 on ports P, P+1, P+2 (0 = three free consecutive ports)
  --pplus2-host ADDR         P+2 listening address (default: all interfaces)
  --pplus2-peer IP:P         a P+2 peer to start from (repeatable)`,
  parse(values) {
    const opts = parsePplus2Flags(values);
    return {
      // The P+2 code loads only with --pplus2-port.
      plugins: async () => (opts ? [(await import('./index.js')).createPplus2Plugin(opts)] : []),
    };
  },
};
