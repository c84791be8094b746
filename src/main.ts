/**
 * The composition root: the one file in src/ that imports protocols/ and tui/.
 * argv -> config -> node with the chosen plugins -> TUI or headless mode.
 */
import { createWriteStream, statSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { createChatPlugin } from '../protocols/chat/index.js';
import { parseConfig, USAGE, type Config } from './config.js';
import { NetError } from './errors.js';
import { runHeadless } from './headless.js';
import { formatLogEntry, type LogSink } from './log.js';
import { PeerdeckNode } from './node.js';
import { ensureDir } from './paths.js';
import type { ProtocolPlugin } from './plugin.js';

const VERSION = '0.1.0';
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

function buildPlugins(cfg: Config): ProtocolPlugin[] {
  const plugins: ProtocolPlugin[] = [];
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
  return plugins;
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
  try {
    cfg = parseConfig(argv);
  } catch (err) {
    process.stderr.write(`peerdeck: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  if (cfg.help) {
    process.stdout.write(USAGE + '\n');
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
  const node = new PeerdeckNode({
    dataDir: cfg.dataDir,
    nick: cfg.nick,
    plugins: buildPlugins(cfg),
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

  const { runTui } = await import('../tui/index.js');
  try {
    await node.start();
  } catch (err) {
    process.stderr.write(`peerdeck: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    await node.stop();
    return 1;
  }
  await runTui(node, { mouse: cfg.mouse, scrollback: cfg.scrollback });
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
