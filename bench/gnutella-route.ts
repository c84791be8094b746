/**
 * Descriptor decode + dedup + route decision (issue 10: >= 500,000
 * descriptors/s on one core): a wire stream of Queries, QueryHits and Pings (one
 * in ten a duplicate) is fed in 64 KiB chunks to the DescriptorDecoder; each
 * descriptor goes through the SeenTable and the ultrapeer route decision.
 * The rate is per CPU-second of this process (process.cpuUsage), which is what
 * "on one core" means on a machine shared with other work.
 */
import { randomBytes } from 'node:crypto';
import { decodeAll } from '../src/codec/decoder.js';
import { DescriptorDecoder } from '../protocols/gnutella/descriptor-decoder.js';
import { encodeDescriptor } from '../protocols/gnutella/descriptor.js';
import { encodeQuery } from '../protocols/gnutella/query.js';
import { route } from '../protocols/gnutella/router.js';
import { SeenTable } from '../protocols/gnutella/seen-table.js';
import { measure, report } from './lib-measure.js';

const COUNT = Number(process.env.GNUTELLA_ROUTE_COUNT ?? 1_000_000);
const CHUNK = 64 * 1024;
const TARGET = 500_000;

const query = encodeQuery({ text: 'linux iso ubuntu' });
const muids = Array.from({ length: COUNT }, (_, i) => (i % 10 === 9 ? undefined : randomBytes(16)));
const parts: Buffer[] = [];
let last = randomBytes(16);
for (let i = 0; i < COUNT; i++) {
  const muid = muids[i] ?? last;
  last = muid;
  const type = i % 5 === 4 ? 0x00 : 0x80;
  parts.push(encodeDescriptor({ muid, type, ttl: 3, hops: 1, payload: type === 0x80 ? query : Buffer.alloc(0) }));
}
const stream = Buffer.concat(parts);
const chunks: Buffer[] = [];
for (let i = 0; i < stream.length; i += CHUNK) chunks.push(stream.subarray(i, i + CHUNK));

const leaves = [10, 11, 12];
async function round(): Promise<number> {
  const seen = new SeenTable(() => performance.now());
  const dec = new DescriptorDecoder();
  let routed = 0;
  let n = 0;
  const cpu0 = process.cpuUsage();
  for (const c of chunks) {
    for (const d of decodeAll(dec, c)) {
      n++;
      const decision = route({
        type: d.type,
        ttl: d.ttl,
        hops: d.hops,
        from: { id: 1, role: 'ultrapeer' },
        self: 'ultrapeer',
        seen: seen.check(d.muid, d.type, d.ttl),
        ultrapeers: [1, 2, 3],
        matchingLeaves: () => leaves,
      });
      if (decision.kind !== 'drop') routed++;
    }
  }
  const used = process.cpuUsage(cpu0);
  const ms = (used.user + used.system) / 1000;
  if (n !== COUNT || routed === 0) throw new Error(`decoded ${n} of ${COUNT}`);
  return (n / ms) * 1000;
}

const ours = await measure(round);
report({
  name: 'gnutella.route',
  title: 'Gnutella descriptor decode + dedup + route decision, one core',
  unit: 'descriptors/s',
  better: 'higher',
  ours,
  target: { text: `>= ${TARGET.toLocaleString('en-US')} descriptors/s`, met: ours.median >= TARGET },
});
