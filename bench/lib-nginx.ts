/** nginx as the reference file server of the upload benches, and curl as the client of both. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MB, run } from './lib-bench-files.js';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** curl's measured download speed in MB/s, checking that `bytes` arrived. */
export async function curlMbS(url: string, bytes: number, extra: string[] = []): Promise<number> {
  const out = await run('curl', [...extra, '-s', '-o', '/dev/null', '-w', '%{speed_download} %{size_download}', url]);
  const [speed, size] = out.trim().split(' ').map(Number);
  if (size !== bytes) throw new Error(`curl got ${size} bytes from ${url}, expected ${bytes}`);
  return (speed ?? 0) / MB;
}

/** nginx on 127.0.0.1 serving `www` with sendfile, one worker, in the foreground; `file` must be there. */
export async function startNginx(dir: string, www: string, file: string): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const t = join(dir, 'tmp');
  await mkdir(t, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  await writeFile(
    conf,
    `worker_processes 1; daemon off; master_process off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 64; }
http { access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path ${t}/b; proxy_temp_path ${t}/p; fastcgi_temp_path ${t}/f; uwsgi_temp_path ${t}/u; scgi_temp_path ${t}/s;
  server { listen 127.0.0.1:${port}; root ${www}; } }
`,
  );
  const proc: ChildProcess = spawn('nginx', ['-c', conf, '-p', dir], { stdio: 'ignore' });
  const stop = async (): Promise<void> => {
    const exited = new Promise((res) => proc.once('exit', res));
    proc.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 100; i++) {
    try {
      await run('curl', ['-s', '-o', '/dev/null', '-r', '0-0', `http://127.0.0.1:${port}/${file}`]);
      return { port, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await stop();
  throw new Error('nginx did not start');
}
