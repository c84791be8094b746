/**
 * Upload over the real P+2 download port (issue 9 target: >= 0.9 x nginx +
 * curl). A real headless peerdeck process shares a folder; the client asks its
 * p+2 port for the file by name, so the bytes take the user's path: the
 * listener, the request line decoder, the share lookup and the transfer
 * engine's upload. The reference is nginx serving the same bytes (sendfile)
 * to the same client.
 *
 * The client is curl for both. P+2's download exchange has the shape of
 * gopher (one request line, raw bytes back, the server closes), so curl's
 * gopher support is a real P+2 client: `gopher://host:p+2/9big.bin` sends
 * `big.bin\r\n` and writes what comes back.
 */
import { link, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MB, hasTool, warm, writeBigFile } from './lib-bench-files.js';
import { headless, untilHashed, type Headless } from './lib-headless.js';
import { compare, ratioTarget, report, skip } from './lib-measure.js';
import { curlMbS as curlBytes, startNginx } from './lib-nginx.js';

const FILE_BYTES = Number(process.env.UPLOAD_FILE_MB ?? 1024) * MB;
/** curl's measured speed in MB/s, checking that the whole file arrived. */
const curlMbS = (url: string): Promise<number> => curlBytes(url, FILE_BYTES);
const TITLE = `upload of ${FILE_BYTES / MB} MiB over the real P+2 port (headless process, curl)`;

const missing = !hasTool('curl') ? 'curl not installed' : !hasTool('nginx', ['-v']) ? 'nginx not installed (apt-get install nginx-light)' : undefined;
if (missing) {
  skip('transfer.upload', TITLE, missing);
} else {
  const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-upload-'));
  let node: Headless | undefined;
  let nginx: { port: number; stop(): Promise<void> } | undefined;
  try {
    const share = join(dir, 'share');
    const www = join(dir, 'www');
    await mkdir(share, { recursive: true });
    await mkdir(www, { recursive: true });
    await writeBigFile(join(share, 'big.bin'), FILE_BYTES);
    await link(join(share, 'big.bin'), join(www, 'big.bin')); // the very same bytes for both
    await warm(join(www, 'big.bin'));
    node = headless(['--no-chat', '--data-dir', join(dir, 'data'), '--share', share, '--pplus2-host', '127.0.0.1', '--pplus2-port', '0']);
    const ready = await node.next((e) => e.type === 'ready');
    const p = (ready.ports as Record<string, number> | undefined)?.pplus2;
    if (p === undefined) throw new Error('the headless node reported no pplus2 port');
    nginx = await startNginx(dir, www, 'big.bin');
    const ourUrl = `gopher://127.0.0.1:${p + 2}/9big.bin`; // item type 9 (binary), selector big.bin
    await untilHashed(node); // no background hashing competes with the measurement
    await curlMbS(ourUrl); // the name resolves: fail loudly here rather than in a round
    const r = await compare(
      () => curlMbS(ourUrl),
      () => curlMbS(`http://127.0.0.1:${nginx!.port}/big.bin`),
      Number(process.env.UPLOAD_ROUNDS ?? 5),
    );
    report({
      name: 'transfer.upload',
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
