/**
 * Start-up pays only for the protocols it runs (issue 9): the real program,
 * started with an ESM load hook that records every module it loads
 * (module-log-hook.ts), loads a protocol's code only when its flags turn it on,
 * and the NATS client only for a Napster server in a cluster.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chatPortZero, MAIN, ROOT } from './cli-process.js';
import { MODULE_LOG_ENV } from './module-log-hook.js';

const HOOK = join(ROOT, 'dist', 'test', 'cli', 'module-log-hook.js');
const WAIT_MS = 20_000;
const LOOPBACK_CHAT = ['--chat-port', '0', '--chat-host', '127.0.0.1', '--no-discovery'];

/** What a start loaded, as paths under dist/ or node_modules/. */
type Loaded = string[];

/** A run: the modules it loaded and what it wrote to stderr. */
interface Run {
  loaded: Loaded;
  stderr: string;
}

/**
 * Runs `node --import hook dist/src/main.js ...args` in a fresh data dir until it prints
 * `until` (a headless node's `ready`) or exits by itself, then stops it and returns every
 * module it loaded.
 */
async function run(args: string[], until: (out: string) => boolean = () => false): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'peerdeck-lazy-'));
  const log = join(dir, 'modules.log');
  const proc = spawn(process.execPath, ['--import', pathToFileURL(HOOK).href, MAIN, '--data-dir', join(dir, 'data'), ...chatPortZero(args)], {
    cwd: ROOT,
    env: { ...process.env, [MODULE_LOG_ENV]: log, NO_COLOR: '1' },
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let out = '';
  let err = '';
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`neither done nor exited: ${args.join(' ')}; stderr: ${err.slice(-500)}`)), WAIT_MS);
      const done = (): void => (clearTimeout(timer), resolve());
      proc.stdout.on('data', (c: Buffer) => ((out += c.toString()), until(out) && done()));
      proc.once('exit', done);
    });
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  }
  try {
    const loaded = (await readFile(log, 'utf8'))
      .split('\n')
      .filter((u) => u.startsWith('file:'))
      .map((u) => u.replace(/^.*?\/(dist|node_modules)\//, '$1/'));
    return { loaded, stderr: err };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ready = (out: string): boolean => out.includes('"type":"ready"');
/** Whether the start loaded `name`'s plugin (its index.js, the code behind the flags). */
const loadsProtocol = (loaded: Loaded, name: string): boolean => loaded.includes(`dist/protocols/${name}/index.js`);
const loadsNats = (loaded: Loaded): boolean => loaded.some((p) => p.includes('node_modules/@nats-io/') || p.includes('node_modules/tweetnacl/') || p.endsWith('/cluster/cluster-node.js'));

/** A loopback port nothing listens on (a NATS server that does not answer: the cluster still loads). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const a = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  if (a === null || typeof a === 'string') throw new Error('no port');
  return a.port;
}

describe('start-up loads a protocol only when it runs', () => {
  it('loads no protocol for --help, --no-chat or a flag error, chat alone by default, NATS only for a cluster', async () => {
    if (!existsSync(HOOK)) throw new Error(`${HOOK} is missing: run "npm run build" (npm test does it first)`);
    const nats = `nats://127.0.0.1:${await closedPort()}`;
    const [help, bad, none, chat, napster, all] = await Promise.all([
      run(['--help']),
      run(['--headless', '--gnutella', '--gnutella-port', 'x']),
      run(['--headless', '--json', '--no-chat'], ready),
      run(['--headless', '--json', ...LOOPBACK_CHAT], ready),
      run(['--headless', '--json', '--no-chat', '--napster-server', '--napster-port', '0', '--napster-host', '127.0.0.1'], ready),
      run(
        ['--headless', '--json', ...LOOPBACK_CHAT, '--pplus2-port', '0', '--pplus2-host', '127.0.0.1', '--gnutella', '--gnutella-port', '0', '--gnutella-host', '127.0.0.1', '--napster-server', '--napster-port', '0', '--napster-host', '127.0.0.1', '--napster-cluster', nats],
        ready,
      ),
    ]);
    const protocols = ['chat', 'pplus2', 'gnutella', 'napster'];

    // --help and a usage error are answered from the flags alone.
    expect(help.loaded.some((p) => p.endsWith('protocols/gnutella/flags.js'))).toBe(true);
    expect(bad.stderr).toMatch(/--gnutella-port: not a port: x/);
    for (const r of [help, bad, none]) {
      for (const p of protocols) expect(loadsProtocol(r.loaded, p), `${p} loaded: ${r.stderr}`).toBe(false);
      expect(loadsNats(r.loaded)).toBe(false);
    }

    expect(loadsProtocol(chat.loaded, 'chat')).toBe(true);
    for (const p of ['pplus2', 'gnutella', 'napster']) expect(loadsProtocol(chat.loaded, p), `chat alone loaded ${p}`).toBe(false);
    expect(loadsNats(chat.loaded)).toBe(false);

    // A Napster server outside a cluster needs no NATS client.
    expect(loadsProtocol(napster.loaded, 'napster'), napster.stderr).toBe(true);
    expect(loadsNats(napster.loaded)).toBe(false);

    // The hook sees them all when they run: the checks above can fail.
    for (const p of protocols) expect(loadsProtocol(all.loaded, p), `all on, ${p} not loaded: ${all.stderr}`).toBe(true);
    expect(loadsNats(all.loaded)).toBe(true);
  });
});
