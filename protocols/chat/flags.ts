/**
 * The chat protocol's command-line flags (README "All flags"), composed into
 * peerdeck's command line by src/main.ts through src/config.ts.
 */
import { readFileSync } from 'node:fs';
import { NetError } from '../../src/errors.js';
import { flagHost, flagList, flagPort, flagSet, flagString, type FlagValues, type ProtocolFlags } from '../../src/flags.js';
import { parseHostPort } from '../../src/net/address.js';
import * as C from './constants.js';
import { parseName } from './names/record.js';

/** The chat settings the flags give; the nick comes from the core's `--nick`. */
export interface ChatFlagSettings {
  enabled: boolean;
  port: number;
  host: string | undefined;
  connect: string[];
  mesh: string;
  password: string | undefined;
  discovery: boolean;
  sign: boolean;
  requireSigned: boolean;
  nearMe: boolean;
  acceptFrom: 'anyone' | 'contacts' | 'nobody';
  /** `--chat-degree`: links the maintainer keeps (spec "Mesh maintenance"); undefined: the default. */
  degree: number | undefined;
}

/** The most links `--chat-degree` may ask for. */
const MAX_FLAG_DEGREE = 16;

const MESH = /^[A-Za-z0-9._-]{1,64}$/;

function acceptFrom(v: string | undefined): 'anyone' | 'contacts' | 'nobody' {
  if (v === undefined) return 'anyone';
  if (v !== 'anyone' && v !== 'contacts' && v !== 'nobody') throw NetError.usage(`--accept-from: anyone, contacts or nobody: ${v}`);
  return v;
}

/** `--chat-degree N`: 1..MAX_FLAG_DEGREE, else a usage error. */
function degree(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > MAX_FLAG_DEGREE) throw NetError.usage(`--chat-degree: a number of links from 1 to ${MAX_FLAG_DEGREE}: ${v}`);
  return n;
}

/** The maintainer's target and minimum degree for `--chat-degree` (the minimum never above the target). */
function meshDegree(d: number | undefined): { targetDegree?: number; minDegree?: number } {
  return d === undefined ? {} : { targetDegree: d, minDegree: Math.min(d, C.MIN_DEGREE) };
}

/** Reads the chat flags back; throws NetError('USAGE'). Reads the password file named by `--mesh-password-file`. */
export function parseChatFlags(v: FlagValues): ChatFlagSettings {
  const mesh = flagString(v, 'mesh') ?? 'default';
  if (!MESH.test(mesh)) throw NetError.usage(`--mesh: 1-64 of A-Z a-z 0-9 . _ -: ${mesh}`);
  const connect = flagList(v, 'connect');
  for (const a of connect) if (!parseHostPort(a) && !parseName(a)) throw NetError.usage(`--connect: not a host:port or a peer name: ${a}`);
  let password: string | undefined;
  const file = flagString(v, 'mesh-password-file');
  if (file) {
    try {
      password = readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (err) {
      throw NetError.usage(`--mesh-password-file: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!password) throw NetError.usage('--mesh-password-file: the first line is empty');
  }
  return {
    enabled: !flagSet(v, 'no-chat'),
    port: flagPort(v, 'chat-port', C.DEFAULT_CHAT_PORT),
    host: flagHost(v, 'chat-host'),
    connect,
    mesh,
    password,
    discovery: !flagSet(v, 'no-discovery'),
    sign: flagSet(v, 'sign'),
    requireSigned: flagSet(v, 'require-signed'),
    nearMe: !flagSet(v, 'no-near-me'),
    acceptFrom: acceptFrom(flagString(v, 'accept-from')),
    degree: degree(flagString(v, 'chat-degree')),
  };
}

/** `--chat-port`, `--chat-host`, `--connect`, `--mesh`, `--mesh-password-file`, `--no-discovery`, `--no-chat`. */
export const chatFlags: ProtocolFlags = {
  name: 'chat',
  options: {
    'chat-port': { type: 'string' },
    'chat-host': { type: 'string' },
    connect: { type: 'string', multiple: true },
    mesh: { type: 'string' },
    'mesh-password-file': { type: 'string' },
    'no-discovery': { type: 'boolean' },
    'no-chat': { type: 'boolean' },
    sign: { type: 'boolean' },
    'require-signed': { type: 'boolean' },
    'no-near-me': { type: 'boolean' },
    'accept-from': { type: 'string' },
    'chat-degree': { type: 'string' },
  },
  usage: `  --chat-port PORT           chat listening port (default 6350; 0 = any free port)
  --chat-host ADDR           chat listening address (default: all interfaces)
  --connect HOST:PORT|NAME   keep a link to this chat peer (repeatable; retried until linked;
                             a peer name is resolved once the node has a link)
  --mesh NAME                chat mesh name (default "default")
  --mesh-password-file FILE  chat mesh password, read from FILE (first line)
  --no-discovery             no LAN discovery by UDP multicast
  --no-chat                  do not run the chat protocol
  --sign                     sign every chat line we send (Ed25519 key in the data dir)
  --require-signed           drop unsigned chat lines (neither shown nor relayed)
  --no-near-me               People Near Me off (on by default where discovery runs)
  --accept-from WHO          invitations from anyone (default), contacts or nobody
  --chat-degree N            chat links to keep to other nodes (default ${C.TARGET_DEGREE}; --connect peers always)`,
  parse(values) {
    const s = parseChatFlags(values);
    return {
      // The chat code (mesh, signing, names) loads only when chat runs: --no-chat starts without it.
      plugins: async (core) => {
        if (!s.enabled) return [];
        const { createChatPlugin } = await import('./index.js');
        return [createChatPlugin({ port: s.port, host: s.host, nick: core.nick, connect: s.connect, mesh: s.mesh, password: s.password, discovery: s.discovery, sign: s.sign, requireSigned: s.requireSigned, nearMe: s.nearMe, acceptFrom: s.acceptFrom, ...meshDegree(s.degree) })];
      },
    };
  },
};
