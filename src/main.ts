/**
 * The composition root: the one file in src/ that imports protocols/ and tui/.
 * argv -> config -> node with the chosen plugins -> TUI or headless mode.
 */
import { createWriteStream, realpathSync, statSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chatFlags } from '../protocols/chat/flags.js';
import { gnutellaFlags } from '../protocols/gnutella/flags.js';
import { napsterFlags } from '../protocols/napster/flags.js';
import { pplus2Flags } from '../protocols/pplus2/flags.js';
import type { AppEvent } from './app-api.js';
import { parseConfig, usage, type Config } from './config.js';
import { NetError } from './errors.js';
import { mergeLimits, type ProtocolFlags } from './flags.js';
import { runHeadless } from './headless.js';
import { formatLogEntry, Logger, type LogSink } from './log.js';
import { PeerdeckNode } from './node.js';
import { checkWritableFolders } from './folder-check.js';
import type { ProtocolPlugin } from './plugin.js';
import { createFilesPlugin } from './search/files-plugin.js';
import { ShareLibrary } from './share/share-library.js';
import { checkShareRoots } from './share/share-roots.js';
import { TransferEngine } from './transfer/transfer-engine.js';
import { TRANSFER_STATE_FILE } from './transfer/transfer-state.js';

const VERSION = '0.1.0';
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;
/** Start-up events kept for the TUI to show first. */
const MAX_EARLY_EVENTS = 1_000;

/** The second line of every command-line error. */
const HELP_HINT = "Run 'peerdeck --help' to see every flag.";

/** A message on one line: a value from the command line may hold a newline or a control character. */
function oneLine(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** Every protocol peerdeck can run, in start order: each brings its own flags (protocols/<name>/flags.ts). */
const PROTOCOLS: readonly ProtocolFlags[] = [chatFlags, pplus2Flags, napsterFlags, gnutellaFlags];

/**
 * The plugins the flags ask for. Each protocol loads its code here, and only when it runs
 * (ProtocolSetup.plugins), so a start pays for the protocols it uses; they load in parallel.
 */
async function buildPlugins(cfg: Config): Promise<ProtocolPlugin[]> {
  const core = { nick: cfg.nick, dataDir: cfg.dataDir };
  const made = await Promise.all(cfg.protocols.map(({ setup }) => setup.plugins(core)));
  // The files service comes first (started first, stopped last) so every file
  // protocol finds the share library and transfer engine running.
  return [createFilesPlugin(), ...made.flat()];
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
    cfg = parseConfig(argv, PROTOCOLS);
  } catch (err) {
    // One line that names the flag and what it wants, not the whole usage (--help prints that).
    process.stderr.write(`peerdeck: ${oneLine(err instanceof Error ? err.message : String(err))}\n${HELP_HINT}\n`);
    return 2;
  }
  if (cfg.help) {
    process.stdout.write(usage(PROTOCOLS) + '\n');
    return 0;
  }
  if (cfg.version) {
    process.stdout.write(`peerdeck ${VERSION}\n`);
    return 0;
  }
  const badShare = await checkShareRoots(cfg.share);
  if (badShare !== undefined) {
    process.stderr.write(`peerdeck: ${badShare}\n`);
    return 2;
  }
  let headless = cfg.headless;
  if (!headless && !process.stdout.isTTY) {
    process.stderr.write('peerdeck: stdout is not a terminal; running in headless mode (see --headless in README)\n');
    headless = true;
  }
  const badFolder = await checkWritableFolders(cfg.dataDir, cfg.downloads);
  if (badFolder !== undefined) {
    process.stderr.write(`peerdeck: ${badFolder}\n`);
    return 2;
  }
  const logFile = fileSink(cfg.dataDir);

  let requestQuit: () => void = () => undefined;
  const quit = new Promise<void>((resolve) => (requestQuit = resolve));
  const log = new Logger([logFile.sink], 'core', cfg.logLevel);
  const plugins = await buildPlugins(cfg);
  const node = new PeerdeckNode({
    dataDir: cfg.dataDir,
    nick: cfg.nick,
    plugins,
    limits: mergeLimits(cfg.protocols.map((p) => p.setup.limits)),
    share: new ShareLibrary({ roots: cfg.share, dataDir: cfg.dataDir, watch: true, log: log.child('share') }),
    transfers: new TransferEngine({
      downloadDir: cfg.downloads ?? join(cfg.dataDir, 'downloads'),
      stateFile: join(cfg.dataDir, TRANSFER_STATE_FILE),
      log: log.child('transfers'),
    }),
    logSinks: [logFile.sink],
    logLevel: cfg.logLevel,
    onQuit: () => requestQuit(),
  });

  if (headless) {
    const onSignal = (): void => requestQuit();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.stdout.on('error', () => requestQuit()); // reader went away (EPIPE)
    // Subscribe before start so `ready` is the first event a script sees; input waits
    // for the start, so even an already-closed stdin sees `ready` printed first.
    let markStarted: (ok: boolean) => void = () => undefined;
    const started = new Promise<boolean>((resolve) => (markStarted = resolve));
    const session = runHeadless(
      node,
      {
        json: cfg.json,
        logEvents: cfg.logEvents,
        daemon: cfg.daemon,
        input: process.stdin,
        output: process.stdout,
        // Plain lines go to the first protocol that takes text (chat, unless --no-chat).
        defaultPlugin: plugins.find((p) => p.commands.some((c) => c.name === 'say'))?.name,
        started,
      },
      quit,
    );
    try {
      await node.start();
      markStarted(true);
    } catch (err) {
      markStarted(false);
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

/**
 * Runs the program on `argv` and exits with its status. The launchers (bin/peerdeck.js,
 * bin/start.js) call this; so does running this file itself (`node dist/src/main.js`).
 */
export function run(argv: readonly string[]): void {
  main([...argv]).then(
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
}

/**
 * True when Node was started with this file as its script. Importing the module (a launcher, a
 * test, a hand experiment) must not start a node: with no arguments that is a chat node with LAN
 * discovery announcing itself on the local network.
 */
function startedAsScript(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (startedAsScript()) run(process.argv.slice(2));
