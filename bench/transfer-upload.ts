/**
 * Upload throughput over loopback: a 1 GiB file sent by the transfer engine
 * (runUpload: pipeline() from the file into the socket) against nginx serving
 * the same file with sendfile, `curl` receiving both (issue 4 target: >= 70%).
 * Our server answers curl's request with the raw bytes, which `curl --http0.9`
 * accepts as a body, so the receiver is the same program for both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransferEngine } from '../src/transfer/transfer-engine.js';
import { MB, hasTool, round, run, warm, writeBigFile } from './lib-bench-files.js';

const FILE_BYTES = Number(process.env.UPLOAD_FILE_MB ?? 1024) * MB;
const ROUNDS = 3;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** curl's measured download speed in MB/s, checking that every byte arrived. */
async function curlMbS(url: string, extra: string[] = []): Promise<number> {
  const out = await run('curl', [...extra, '-s', '-o', '/dev/null', '-w', '%{speed_download} %{size_download}', url]);
  const [speed, size] = out.trim().split(' ').map(Number);
  if (size !== FILE_BYTES) throw new Error(`curl got ${size} bytes from ${url}, expected ${FILE_BYTES}`);
  return (speed ?? 0) / MB;
}

async function startNginx(dir: string, www: string): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  const t = join(dir, 'tmp');
  await writeFile(
    conf,
    `worker_processes 1; daemon off; master_process off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 64; }
http { access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path ${t}/b; proxy_temp_path ${t}/p; fastcgi_temp_path ${t}/f; uwsgi_temp_path ${t}/u; scgi_temp_path ${t}/s;
  server { listen 127.0.0.1:${port}; root ${www}; } }
`,
  );
  const proc = spawn('nginx', ['-c', conf, '-p', dir], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      await run('curl', ['-s', '-o', '/dev/null', '-r', '0-0', `http://127.0.0.1:${port}/big.bin`]);
      return { port, proc };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  proc.kill();
  throw new Error('nginx did not start');
}

class SkipError extends Error {}

const dir = await mkdtemp(join(tmpdir(), 'peerdeck-bench-upload-'));
const engine = new TransferEngine({ downloadDir: join(dir, 'unused') });
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.once('data', () => {
    socket.resume();
    engine.upload({ path: file, name: 'big.bin', peer: 'bench', protocol: 'bench', sink: socket }).catch(() => socket.destroy());
  });
});
const www = join(dir, 'www');
const file = join(www, 'big.bin');
let nginx: { port: number; proc: ChildProcess } | undefined;
try {
  if (!hasTool('curl')) throw new SkipError('curl not installed');
  await mkdir(www, { recursive: true });
  await writeBigFile(file, FILE_BYTES);
  await warm(file);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const ourUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  if (hasTool('nginx', ['-v'])) nginx = await startNginx(dir, www);

  let ours = 0;
  let theirs = 0;
  for (let r = 0; r < ROUNDS; r++) {
    ours = Math.max(ours, await curlMbS(ourUrl, ['--http0.9']));
    if (nginx) theirs = Math.max(theirs, await curlMbS(`http://127.0.0.1:${nginx.port}/big.bin`));
  }
  console.log(`transfer.upload_mb_s: ${round(ours)}`);
  if (nginx) {
    console.log(`transfer.nginx_curl_mb_s: ${round(theirs)}`);
    console.log(`transfer.upload_vs_nginx_pct: ${round((ours / theirs) * 100)}`);
  } else {
    console.log('transfer.nginx_curl_mb_s: skipped (nginx not installed)');
  }
} catch (err) {
  if (!(err instanceof SkipError)) throw err;
  console.log(`transfer.upload_mb_s: skipped (${err.message})`);
} finally {
  if (nginx) {
    const exited = new Promise((r) => nginx!.proc.once('exit', r));
    nginx.proc.kill('SIGTERM');
    await exited;
  }
  await new Promise((r) => server.close(r));
  await engine.stop();
  await rm(dir, { recursive: true, force: true });
}
