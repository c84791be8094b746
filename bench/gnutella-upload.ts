/**
 * Upload over the Gnutella HTTP path (issue 10: >= 0.9 x nginx + curl). A real
 * headless peerdeck process runs Gnutella and shares a folder; curl asks its
 * Gnutella port for `/get/1/big.bin`, so the bytes take the user's path: the
 * listener, the first-block dispatch, the hand-off to node:http, the share
 * lookup and the transfer engine's upload. The reference is nginx serving the
 * same bytes (a hard link) to the same curl, in alternating rounds.
 */
import { link, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MB, hasTool, warm, writeBigFile } from './lib-bench-files.js';
import { headless, untilHashed, type Headless } from './lib-headless.js';
import { compare, ratioTarget, report, skip } from './lib-measure.js';
import { curlMbS, startNginx } from './lib-nginx.js';

const FILE_BYTES = Number(process.env.UPLOAD_FILE_MB ?? 1024) * MB;
const TITLE = `upload of ${FILE_BYTES / MB} MiB over the Gnutella HTTP path (headless process, curl)`;

const missing = !hasTool('curl') ? 'curl not installed' : !hasTool('nginx', ['-v']) ? 'nginx not installed (apt-get install nginx-light)' : undefined;
if (missing) {
  skip('gnutella.upload', TITLE, missing);
} else {
  const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-gupload-'));
  let node: Headless | undefined;
  let nginx: { port: number; stop(): Promise<void> } | undefined;
  try {
    const share = join(dir, 'share');
    const www = join(dir, 'www');
    await mkdir(share, { recursive: true });
    await mkdir(www, { recursive: true });
    await writeBigFile(join(share, 'big.bin'), FILE_BYTES);
    await link(join(share, 'big.bin'), join(www, 'big.bin'));
    await warm(join(www, 'big.bin'));
    node = headless(['--no-chat', '--data-dir', join(dir, 'data'), '--share', share, '--gnutella', '--gnutella-host', '127.0.0.1', '--gnutella-port', '0']);
    const ready = await node.next((e) => e.type === 'ready');
    const p = (ready.ports as Record<string, number> | undefined)?.gnutella;
    if (p === undefined) throw new Error('the headless node reported no gnutella port');
    nginx = await startNginx(dir, www, 'big.bin');
    await untilHashed(node);
    const ours = `http://127.0.0.1:${p}/get/1/big.bin`;
    await curlMbS(ours, FILE_BYTES);
    const r = await compare(
      () => curlMbS(ours, FILE_BYTES),
      () => curlMbS(`http://127.0.0.1:${nginx!.port}/big.bin`, FILE_BYTES),
      Number(process.env.UPLOAD_ROUNDS ?? 5),
    );
    report({
      name: 'gnutella.upload',
      title: TITLE,
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
