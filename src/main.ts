/**
 * The composition root: the one file in src/ that imports protocols/ and tui/.
 * argv -> config -> node with the chosen plugins -> TUI or headless mode.
 */
import { createWriteStream, statSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { createChatPlugin } from '../protocols/chat/index.js';
import { createNapsterPlugin } from '../protocols/napster/index.js';
import { NAPSTER_FLAGS, NAPSTER_USAGE, parseNapsterFlags, type NapsterServerOptions } from '../protocols/napster/options.js';
import { createPplus2Plugin } from '../protocols/pplus2/index.js';
import type { AppEvent } from './app-api.js';
import { parseConfig, USAGE, type Config } from './config.js';
import { NetError } from './errors.js';
import { runHeadless } from './headless.js';
import { formatLogEntry, Logger, type LogSink } from './log.js';
import { DEFAULT_GLOBAL_LIMITS } from './net/connection-manager.js';
import type { LinkLimits } from './net/limits.js';
import { PeerdeckNode } from './node.js';
import { ensureDir } from './paths.js';
import type { ProtocolPlugin } from './plugin.js';
import { createFilesPlugin } from './search/files-plugin.js';
import { ShareLibrary } from './share/share-library.js';
import { TransferEngine } from './transfer/transfer-engine.js';

const VERSION = '0.1.0';
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
/** Start-up events kept for the TUI to show first. */
const MAX_EARLY_EVENTS = 1_000;

function buildPlugins(cfg: Config, napster: NapsterServerOptions | undefined): ProtocolPlugin[] {
  // The files service comes first (started first, stopped last) so every file
  // protocol finds the share library and transfer engine running.
  const plugins: ProtocolPlugin[] = [createFilesPlugin()];
  if (cfg.chat.enabled) {
    plugins.push(
      createChatPlugin({
        port: cfg.chat.port,
        host: cfg.chat.host,
        nick: cfg.nick,
        connect: cfg.chat.connect,
        mesh: cfg.chat.mesh,
        password: cfg.chat.password,
        discovery: cfg.chat.discovery,
      }),
    );
  }
  if (cfg.pplus2.port !== undefined) {
    plugins.push(createPplus2Plugin({ port: cfg.pplus2.port, host: cfg.pplus2.host, peers: cfg.pplus2.peers }));
  }
  if (napster) plugins.push(createNapsterPlugin({ server: napster }));
  return plugins;
}

/** Link limits that leave room for a Napster server's users (its own caps apply per group). */
function nodeLimits(napster: NapsterServerOptions | undefined): Partial<LinkLimits> | undefined {
  if (!napster) return undefined;
  return {
    maxInbound: DEFAULT_GLOBAL_LIMITS.maxInbound + napster.maxConnections,
    perIp: napster.maxClones === 0 ? Infinity : Math.max(DEFAULT_GLOBAL_LIMITS.perIp, napster.maxClones),
  };
}

/** A log file in the data dir, rotated once at start-up when it has grown large. */
function fileSink(dataDir: string): { sink: LogSink; close(): Promise<void> } {
  const path = join(dataDir, 'peerdeck.log');
  try {
    if (statSync(path).size > LOG_ROTATE_BYTES) renameSync(path, `${path}.1`);
  } catch {
    // no log yet
  }
  const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  stream.on('error', () => undefined); // a full disk must not take the node down
  return {
    sink: (e) => void stream.write(formatLogEntry(e) + '\n'),
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}

async function main(argv: string[]): Promise<number> {
  let cfg: Config;
  let napster: NapsterServerOptions | undefined;
  try {
    cfg = parseConfig(argv, process.env, NAPSTER_FLAGS);
    napster = parseNapsterFlags(cfg.protocolFlags);
  } catch (err) {
    process.stderr.write(`peerdeck: ${err instanceof Error ? err.message : String(err)}\n${USAGE}${NAPSTER_USAGE}\n`);
    return 2;
  }
  if (cfg.help) {
    process.stdout.write(USAGE + NAPSTER_USAGE + '\n');
    return 0;
  }
  if (cfg.version) {
    process.stdout.write(`peerdeck ${VERSION}\n`);
    return 0;
  }
  let headless = cfg.headless;
  if (!headless && !process.stdout.isTTY) {
    process.stderr.write('peerdeck: stdout is not a terminal; running in headless mode (see --headless in README)\n');
    headless = true;
  }
  await ensureDir(cfg.dataDir);
  const logFile = fileSink(cfg.dataDir);

  let requestQuit: () => void = () => undefined;
  const quit = new Promise<void>((resolve) => (requestQuit = resolve));
  const log = new Logger([logFile.sink], 'core', cfg.logLevel);
  const node = new PeerdeckNode({
    dataDir: cfg.dataDir,
    nick: cfg.nick,
    plugins: buildPlugins(cfg, napster),
    limits: nodeLimits(napster),
    share: new ShareLibrary({ roots: cfg.share, dataDir: cfg.dataDir, watch: true, log: log.child('share') }),
    transfers: new TransferEngine({ downloadDir: cfg.downloads ?? join(cfg.dataDir, 'downloads'), log: log.child('transfers') }),
    logSinks: [logFile.sink],
    logLevel: cfg.logLevel,
    onQuit: () => requestQuit(),
  });

  if (headless) {
    const onSignal = (): void => requestQuit();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.stdout.on('error', () => requestQuit()); // reader went away (EPIPE)
    // Subscribe before start so `ready` is the first event a script sees.
    const session = runHeadless(
      node,
      {
        json: cfg.json,
        logEvents: cfg.logEvents,
        daemon: cfg.daemon,
        input: process.stdin,
        output: process.stdout,
        defaultPlugin: cfg.chat.enabled ? 'chat' : undefined,
      },
      quit,
    );
    try {
      await node.start();
    } catch (err) {
      process.stderr.write(`peerdeck: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
      await node.stop();
      await logFile.close();
      return 1;
    }
    await session;
    await node.stop();
    await logFile.close();
    return 0;
  }

  // Load the TUI (blessed is the slowest module to load) while the node starts,
  // and keep what the node says meanwhile for the TUI to show first.
  const tuiModule = import('../tui/index.js');
  const earlier: AppEvent[] = [];
  const stopBuffering = node.subscribe((e) => {
    if (earlier.length < MAX_EARLY_EVENTS) earlier.push(e);
  });
  try {
    await node.start();
  } catch (err) {
    process.stderr.write(`peerdeck: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    await node.stop();
    return 1;
  }
  const { runTui } = await tuiModule;
  // runTui subscribes synchronously before returning, so no event falls between the two.
  const session = runTui(node, { mouse: cfg.mouse, scrollback: cfg.scrollback, earlier });
  stopBuffering();
  await session;
  await node.stop();
  await logFile.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Everything is closed; a stray handle (stdin in a terminal) must not keep us alive.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (err: unknown) => {
    process.stderr.write(`peerdeck: fatal: ${err instanceof NetError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
