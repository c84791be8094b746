/**
 * `--napster-cluster URL` (repeatable), `--napster-cluster-name NAME` and
 * `--napster-cluster-creds FILE` (issue 15): which NATS servers join this
 * Napster server to the others of its cluster. Without them a server stands
 * alone and needs no NATS. Pure: files are read at start.
 */
import { NetError } from '../../../../src/errors.js';
import { hostProblem } from '../../../../src/net/address.js';

/** parseArgs option specs, merged into NAPSTER_FLAGS. */
export const CLUSTER_FLAGS = {
  'napster-cluster': { type: 'string', multiple: true },
  'napster-cluster-name': { type: 'string' },
  'napster-cluster-creds': { type: 'string' },
} as const;

export const CLUSTER_USAGE = `
  --napster-cluster URL      join the servers of a cluster through NATS
                             (nats://host:port; repeat for more NATS servers)
  --napster-cluster-name N   the cluster's name (default: peerdeck)
  --napster-cluster-creds F  a NATS credentials (.creds) file`;

/** How a server joins its cluster. */
export interface ClusterOptions {
  urls: string[];
  /** Names the subjects and buckets, so clusters can share one NATS. */
  name: string;
  credsFile: string | undefined;
}

export const DEFAULT_CLUSTER_NAME = 'peerdeck';
const URL_RE = /^nats:\/\/(?:[^\s/@]+@)?(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;
const NAME_RE = /^[A-Za-z0-9_-]{1,48}$/;

type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** The cluster options, or undefined without `--napster-cluster`. Throws NetError USAGE. */
export function parseClusterFlags(v: FlagValues): ClusterOptions | undefined {
  const raw = v['napster-cluster'];
  const urls = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const name = v['napster-cluster-name'];
  const creds = v['napster-cluster-creds'];
  if (urls.length === 0) {
    if (name !== undefined) throw NetError.usage('--napster-cluster-name needs --napster-cluster');
    if (creds !== undefined) throw NetError.usage('--napster-cluster-creds needs --napster-cluster');
    return undefined;
  }
  for (const u of urls) {
    if (!URL_RE.test(u)) throw NetError.usage(`--napster-cluster: nats://host:port: ${u}`);
    const host = /^nats:\/\/(?:[^\s/@]+@)?\[?([^\]]*?)\]?(?::\d{1,5})?$/.exec(u)?.[1] ?? '';
    const problem = hostProblem(host);
    if (problem !== undefined) throw NetError.usage(`--napster-cluster: ${u}: ${host} is ${problem}`);
  }
  if (name !== undefined && (typeof name !== 'string' || !NAME_RE.test(name))) {
    throw NetError.usage(`--napster-cluster-name: 1-48 letters, digits, - or _, not ${String(name)}`);
  }
  return {
    urls,
    name: typeof name === 'string' ? name : DEFAULT_CLUSTER_NAME,
    credsFile: typeof creds === 'string' ? creds : undefined,
  };
}
