/**
 * A share of 100,000 small files (issue 9 targets): the first scan + hash
 * against `find | xargs -P2 sha1sum` on the same tree in the same run
 * (>= 0.5 x); a restart with a warm hash cache (< 1.5 s, nothing rehashed);
 * `/rescan` (< 1 s); and keyword searches.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShareLibrary } from '../src/share/share-library.js';
import { hasTool, run } from './lib-bench-files.js';
import { belowTarget, compare, measure, ratioTarget, report, timeMs } from './lib-measure.js';

const FILES = Number(process.env.RESCAN_FILES ?? 100_000);
const PER_DIR = 1000;
const N = FILES.toLocaleString('en-US');

const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-rescan-'));
try {
  const root = join(dir, 'share');
  for (let d = 0; d * PER_DIR < FILES; d++) {
    const sub = join(root, `album ${d}`);
    await mkdir(sub, { recursive: true });
    const writes: Promise<void>[] = [];
    for (let i = d * PER_DIR; i < Math.min(FILES, (d + 1) * PER_DIR); i++) writes.push(writeFile(join(sub, `track ${i}.mp3`), `file ${i}`));
    await Promise.all(writes);
  }
  let rounds = 0;
  const data = (): string => join(dir, `data${rounds}`);

  // First scan + hash: a fresh data dir (no cache) each round; the last one is kept warm.
  const cold = async (): Promise<number> => {
    rounds++;
    const lib = new ShareLibrary({ roots: [root], dataDir: data() });
    const ms = await timeMs(async () => {
      await lib.start();
      await lib.whenHashed();
      await lib.stop();
    });
    if (lib.files !== FILES) throw new Error(`first scan found ${lib.files} of ${FILES} files`);
    return ms;
  };
  const sha1sum = hasTool('sha1sum') && hasTool('xargs') && hasTool('find');
  const c = await compare(cold, sha1sum ? () => timeMs(() => run('sh', ['-c', `find "${root}" -type f -print0 | xargs -0 -P2 sha1sum > /dev/null`])) : undefined);
  report({
    name: 'share.first_scan_hash',
    title: `first scan + hash of ${N} small files`,
    unit: 'ms',
    better: 'lower',
    ours: c.ours,
    ...(c.reference
      ? { reference: { label: 'find | xargs -P2 sha1sum', stats: c.reference }, target: ratioTarget(0.5, c.ours, c.reference, 'lower') }
      : {}),
  });

  // Restart with the warm cache: load it, scan, index; nothing may be rehashed.
  const warmDir = data();
  let lib: ShareLibrary | undefined;
  const warm = await measure(async () => {
    await lib?.stop();
    lib = new ShareLibrary({ roots: [root], dataDir: warmDir });
    const l = lib;
    const ms = await timeMs(() => l.start());
    if (l.pendingHashes !== 0 || l.files !== FILES) throw new Error(`warm start rehashes ${l.pendingHashes} of ${l.files}`);
    return ms;
  });
  report({ name: 'share.warm_start', title: `restart with a warm hash cache, ${N} files`, unit: 'ms', better: 'lower', ours: warm, target: belowTarget(1500, 'ms', warm) });

  const live = lib!;
  const rescan = await measure(() => timeMs(() => live.rescan()));
  report({ name: 'share.rescan', title: `/rescan of ${N} files`, unit: 'ms', better: 'lower', ours: rescan, target: belowTarget(1000, 'ms', rescan) });

  const words = await measure(() =>
    timeMs(async () => {
      const hits = live.search('track 4242', { mode: 'words' }).length;
      if (hits !== 1) throw new Error(`words search found ${hits} files, expected 1`);
    }),
  );
  report({ name: 'share.search_words', title: `keyword search, ${N} files`, unit: 'ms', better: 'lower', ours: words });
  const substring = await measure(() => timeMs(async () => void live.search('k 4242', { mode: 'substring' })));
  report({ name: 'share.search_substring', title: `substring search, ${N} files`, unit: 'ms', better: 'lower', ours: substring });
  await live.stop();
} finally {
  await rm(dir, { recursive: true, force: true });
}
