/**
 * The peer-name commands (issue 14): `/register classifier [--unsecured] [--cloud
 * global|linklocal|all]`, `/unregister [name]`, `/names` (ours; also `/peernames`, since the
 * TUI keeps `/names` for its nick list), `/resolve name`, and what `/connect name` dials.
 */
import { NetError } from '../../../src/errors.js';
import { plural } from '../../../src/words.js';
import type { NameService, CloudQuery, Resolution } from './name-service.js';
import { isClassifier, UNSECURED, type NameRecord } from './record.js';

/** Parses `/register` arguments. */
export function parseRegister(args: string[]): { classifier: string; unsecured: boolean; cloud: CloudQuery } {
  let classifier: string | undefined;
  let unsecured = false;
  let cloud: CloudQuery = 'global';
  const usage = 'usage: /register <classifier> [--unsecured] [--cloud global|linklocal|all]';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--unsecured') unsecured = true;
    else if (a === '--cloud') {
      const c = args[++i];
      if (c !== 'global' && c !== 'linklocal' && c !== 'all') throw NetError.usage(usage);
      cloud = c;
    } else if (classifier === undefined && isClassifier(a)) classifier = a;
    else throw NetError.usage(usage);
  }
  if (classifier === undefined) throw NetError.usage(usage);
  return { classifier, unsecured, cloud };
}

/** One record as the user reads it. */
export function describeRecord(r: NameRecord, now: number): string {
  const trust = r.name.startsWith(`${UNSECURED}.`) ? 'unsecured (spoofable)' : 'secured';
  const left = Math.max(0, Math.round((r.expires - now) / 1000));
  return `${r.name} [${r.cloud}] ${trust}, expires in ${left} s: ${r.endpoints.join(' ') || '(no endpoints)'}`;
}

/** `/resolve` output. */
export function describeResolution(res: Resolution, now: number): string[] {
  const from = res.from === 'local' ? 'our own' : res.from === 'cache' ? 'from cache' : 'from the mesh';
  return [`${plural(res.records.length, 'record')} (${from}):`, ...res.records.map((r) => `  ${describeRecord(r, now)}`)];
}

/** `/names`: our registrations and the cache and counters. */
export function describeNames(n: NameService, now: number): string[] {
  const regs = n.registrations();
  const st = n.stats;
  return [
    ...(regs.length === 0 ? ['no names registered (/register <classifier>)'] : regs.map((r) => `${r.name} [${r.cloud}]${r.name.startsWith(`${UNSECURED}.`) ? ' unsecured (spoofable)' : ''}: ${r.endpoints.join(' ')}`)),
    `cache: ${plural(n.cache.all(now).length, 'record')}; sent ${plural(st.sent, 'name line')}; queries seen ${st.queriesSeen}, answered ${st.answered}; dropped: forged ${st.forged}, stale ${st.stale}, replayed ${st.replayed}; ring wait ${n.ringWindow()} ms`,
  ];
}

/** The chat endpoint of a resolution to dial for `/connect name`. */
export function chatEndpoint(res: Resolution): string {
  for (const r of res.records) {
    for (const e of r.endpoints) if (e.startsWith('chat@')) return e.slice('chat@'.length);
  }
  throw NetError.notFound(`${res.records[0]?.name ?? 'that name'} publishes no chat endpoint`);
}
