/**
 * The upload benches' shared shape (issues 9 and 10: >= 0.9 x nginx + curl): a
 * real headless peerdeck process shares one big file and serves it over a
 * protocol port, nginx serves the very same bytes (a hard link, warm in the page
 * cache), and curl fetches both in alternating rounds. Only the flags that start
 * the protocol and the URL curl asks for differ between protocols.
 */
import { link, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MB, hasTool, warm, writeBigFile } from './lib-bench-files.js';
import { headless, untilHashed, type Headless } from './lib-headless.js';
import { compare, ratioTarget, report, skip } from './lib-measure.js';
import { curlMbS, startNginx } from './lib-nginx.js';

/** One protocol's upload path, as the race needs it. */
export interface UploadRace {
  /** Figure name, e.g. `transfer.upload`. */
  name: string;
  /** What the path is, for the title: `over the real P+2 port`. */
  path: string;
  /** Flags that make the headless process serve `share` on a free loopback port. */
  flags(share: string): string[];
  /** The key of `ready.ports` that names that port. */
  portKey: string;
  /** The URL curl asks for the shared file `big.bin`, given that port. */
  url(port: number): string;
}

export async function runUploadRace(race: UploadRace): Promise<void> {
  const fileBytes = Number(process.env.UPLOAD_FILE_MB ?? 1024) * MB;
  const title = `upload of ${fileBytes / MB} MiB ${race.path} (headless process, curl)`;
  const missing = !hasTool('curl') ? 'curl not installed' : !hasTool('nginx', ['-v']) ? 'nginx not installed (apt-get install nginx-light)' : undefined;
  if (missing) return skip(race.name, title, missing);
  const dir = await mkdtemp(join(tmpdir(), `peerdeck-bench-${race.name.replace(/\W/g, '-')}-`));
  let node: Headless | undefined;
  let nginx: { port: number; stop(): Promise<void> } | undefined;
  try {
    const share = join(dir, 'share');
    const www = join(dir, 'www');
    await mkdir(share, { recursive: true });
    await mkdir(www, { recursive: true });
    await writeBigFile(join(share, 'big.bin'), fileBytes);
    await link(join(share, 'big.bin'), join(www, 'big.bin')); // the very same bytes for both
    await warm(join(www, 'big.bin'));
    node = headless(['--no-chat', '--data-dir', join(dir, 'data'), '--share', share, ...race.flags(share)]);
    const ready = await node.next((e) => e.type === 'ready');
    const port = (ready.ports as Record<string, number> | undefined)?.[race.portKey];
    if (port === undefined) throw new Error(`the headless node reported no ${race.portKey} port`);
    nginx = await startNginx(dir, www, 'big.bin');
    await untilHashed(node); // no background hashing competes with the measurement
    const ours = race.url(port);
    await curlMbS(ours, fileBytes); // the name resolves: fail loudly here rather than in a round
    const r = await compare(
      () => curlMbS(ours, fileBytes),
      () => curlMbS(`http://127.0.0.1:${nginx!.port}/big.bin`, fileBytes),
      Number(process.env.UPLOAD_ROUNDS ?? 5),
    );
    report({
      name: race.name,
      title,
      unit: 'MB/s',
      better: 'higher',
      ours: r.ours,
      reference: { label: 'nginx + curl', stats: r.reference! },
      target: ratioTarget(0.9, r.ours, r.reference!, 'higher'),
    });
  } finally {
    await nginx?.stop();
    await node?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
