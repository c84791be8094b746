/**
 * No test or bench runs peerdeck on its fixed chat port (6350). A program started without
 * `--chat-port 0` or `--no-chat` listens there, and fails to start whenever another process
 * holds it: a second test run, a bench, the user's own peerdeck. Nor with LAN discovery on: it
 * binds UDP 6350 and multicasts announcements to 239.255.63.50 on the LAN interface (tests talk
 * to loopback only), and nodes of concurrent tests (all in mesh "default") found each other
 * through it and linked. The helpers that start the program (test/cli/cli-process.ts,
 * bench/lib-headless.ts) add `--chat-port 0` and `--no-discovery` themselves (chatPortZero); a
 * command line written out by hand must say how chat listens and turn discovery off, and an
 * in-process chat plugin must have `discovery: false` or discovery on 127.0.0.1. This file
 * reads every test and bench source and checks each command line that runs the program, and
 * each chat plugin made in-process; like architecture.test.ts, it tests its own checker.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatPortZero as benchChatPortZero } from '../bench/lib-headless.js';
import { chatPortZero } from './cli/cli-process.js';

const ROOT = resolve(import.meta.dirname, '..');

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** One array literal or call's argument list: its top-level elements (or arguments), as written. */
interface Group {
  open: '[' | '(';
  /** Where its bracket is in the text. */
  pos: number;
  /** The text before `(` back to the start of its name (`createChatPlugin`), empty for `[`. */
  callee: string;
  items: string[];
}

/** Whether a `/` at `i` starts a regular expression (after an operator or an opening), not a division. */
function startsRegex(text: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && /\s/.test(text[j]!)) j--;
  return j < 0 || '(,=:[!&|?{};+-*%<>~^'.includes(text[j]!) || /\b(?:return|typeof|case)$/.test(text.slice(Math.max(0, j - 6), j + 1));
}

/**
 * Every array literal and call in TypeScript source, with its top-level elements: strings,
 * template literals, comments and regular expressions are skipped as text, so a bracket or
 * comma inside them does not count.
 */
export function groups(text: string): Group[] {
  type Frame = { open: string; pos: number; start: number; callee: string; items: string[] };
  const out: Group[] = [];
  const stack: Frame[] = [];
  let inTemplate = false;
  let i = 0;
  const skipQuoted = (q: string): void => {
    for (i++; i < text.length && text[i] !== q; i++) if (text[i] === '\\') i++;
    i++;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (inTemplate) {
      if (c === '\\') i += 2;
      else if (c === '`') (inTemplate = false), i++;
      else if (c === '$' && text[i + 1] === '{') stack.push({ open: '${', pos: i, start: i + 2, callee: '', items: [] }), (inTemplate = false), (i += 2);
      else i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if (c === '/' && text[i + 1] === '*') i = text.indexOf('*/', i + 2) === -1 ? text.length : text.indexOf('*/', i + 2) + 2;
    else if (c === '/' && startsRegex(text, i)) {
      let inClass = false;
      for (i++; i < text.length && (inClass || text[i] !== '/') && text[i] !== '\n'; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '[') inClass = true;
        else if (text[i] === ']') inClass = false;
      }
      i++;
    } else if (c === "'" || c === '"') skipQuoted(c);
    else if (c === '`') (inTemplate = true), i++;
    else if (c === '[' || c === '(' || c === '{') {
      const callee = c === '(' ? (/[\w$.]+$/.exec(text.slice(Math.max(0, i - 80), i))?.[0] ?? '') : '';
      stack.push({ open: c, pos: i, start: i + 1, callee, items: [] });
      i++;
    } else if (c === ',') {
      const top = stack.at(-1);
      if (top && (top.open === '[' || top.open === '(')) top.items.push(text.slice(top.start, i).trim()), (top.start = i + 1);
      i++;
    } else if (c === ']' || c === ')' || c === '}') {
      const top = stack.pop();
      if (top && (top.open === '[' || top.open === '(')) {
        const last = text.slice(top.start, i).trim();
        if (last !== '') top.items.push(last);
        out.push({ open: top.open, pos: top.pos, callee: top.callee, items: top.items });
      }
      if (top?.open === '${') inTemplate = true;
      i++;
    } else i++;
  }
  return out;
}

/** Names that hold the program's entry in a file: BIN and MAIN (as the helpers export them), and any const set to a path ending in bin/peerdeck.js or main.js. */
function entryNames(text: string): Set<string> {
  const names = new Set(['BIN', 'MAIN']);
  for (const m of text.matchAll(/const\s+(\w+)\s*=[^;\n]*(?:bin\/peerdeck\.js|['"]main\.js['"])/g)) names.add(m[1]!);
  return names;
}

/** `--no-chat`, `--chat-port` or chatPortZero(...) in a command line's text: it says how chat listens. */
const SAYS_CHAT = /['"`]--no-chat['"`]|['"`]--chat-port(?:=\d+)?['"`]|--chat-port \d|chatPortZero\(/;
/** `--no-chat`, `--no-discovery` or chatPortZero(...): no LAN discovery (on by default, it multicasts on the LAN from UDP port 6350). */
const SAYS_DISCOVERY = /['"`]--no-chat['"`]|['"`]--no-discovery['"`]|chatPortZero\(/;
/** The fixed port named outright. */
const FIXED_PORT = /--chat-port['"`]?(?:\s*,\s*['"`]|=|\s)6350\b/;

/**
 * The command lines in one file that would run the program on the fixed chat port, and the
 * chat plugins made without a port: each as `file: text`. A command line is an array literal
 * with the program's entry as an element (`[process.execPath, MAIN, ...args]`) or npm's
 * (`['start', '--', ...]`); one that ends at the entry is a prefix handed to a helper
 * (startCli's `command`), which adds the arguments. Arrays spread into it (`...base`) are read
 * where the file defines them.
 */
export function fixedPortRuns(file: string, text: string): string[] {
  const bad: string[] = [];
  const all = groups(text);
  const entries = entryNames(text);
  const byPos = new Map(all.filter((g) => g.open === '[').map((g) => [g.pos, g.items]));
  const arrays = new Map<string, string[]>();
  for (const m of text.matchAll(/const\s+(\w+)(?:\s*:\s*[\w[\]<>]+)?\s*=\s*\[/g)) {
    const items = byPos.get(m.index + m[0].length - 1);
    if (items) arrays.set(m[1]!, items);
  }
  const spreadText = (items: string[], depth = 0): string =>
    items
      .map((it) => {
        const name = /^\.\.\.(\w+)$/.exec(it)?.[1];
        const held = name !== undefined && depth < 4 ? arrays.get(name) : undefined;
        return held !== undefined ? `${it} [${spreadText(held, depth + 1)}]` : it;
      })
      .join(', ');
  for (const g of all) {
    if (g.open === '(' && /(?:^|\.)createChatPlugin$/.test(g.callee)) {
      const arg = g.items.join(', ');
      if (!/\bport\s*:|chatOpts\(/.test(arg)) bad.push(`${file}: createChatPlugin(${arg}) has no port (the default is 6350: give port: 0)`);
      else if (/\bport\s*:\s*6350\b/.test(arg)) bad.push(`${file}: createChatPlugin(${arg}) listens on 6350`);
      else if (!/\bdiscovery\s*:\s*(?:false\b|\{[^}]*\binterface\s*:\s*['"]127\.0\.0\.1['"])|chatOpts\(/.test(arg)) bad.push(`${file}: createChatPlugin(${arg}) runs LAN discovery (multicast on the LAN): give discovery: false, or a discovery on interface 127.0.0.1`);
      continue;
    }
    if (g.open !== '[') continue;
    const at = g.items.findIndex((it) => entries.has(it));
    const npm = g.items.includes("'start'") && g.items.includes("'--'");
    if (at === -1 && !npm) continue;
    if (at === g.items.length - 1 || (npm && g.items.at(-1) === "'--'")) continue; // a prefix: startCli({ command }) adds the arguments
    const line = spreadText(g.items);
    if (FIXED_PORT.test(line)) bad.push(`${file}: [${g.items.join(', ')}] names the fixed chat port 6350`);
    else if (!SAYS_CHAT.test(line)) bad.push(`${file}: [${g.items.join(', ')}] runs peerdeck without --chat-port 0 or --no-chat (use chatPortZero(args))`);
    else if (!SAYS_DISCOVERY.test(line)) bad.push(`${file}: [${g.items.join(', ')}] runs chat with LAN discovery on (multicast on the LAN, UDP port 6350): add --no-discovery (or use chatPortZero(args))`);
  }
  return bad;
}

describe('fixed ports', () => {
  it('no test or bench runs peerdeck on the fixed chat port 6350', async () => {
    const files = [...(await sources('test')), ...(await sources('bench'))];
    expect(files.length).toBeGreaterThan(50);
    const bad: string[] = [];
    for (const file of files) bad.push(...fixedPortRuns(file, await readFile(join(ROOT, file), 'utf8')));
    expect(bad).toEqual([]);
  });

  it('the checker catches each way to run the program on 6350, and lets the ways that say otherwise pass', () => {
    const flagged = [
      "spawn(process.execPath, [BIN, '--headless', '--no-discovery', ...args]);",
      "execFile(process.execPath, [MAIN, '--headless'], cb);",
      "const PEERDECK = join(ROOT, 'bin/peerdeck.js');\nspawnSync(process.execPath, [PEERDECK, '--version']);",
      "const base = ['--headless', '--no-discovery'];\nconst cmd = [process.execPath, MAIN, ...base].join(' ');",
      "spawn(process.execPath, [MAIN, '--chat-port', '6350']);",
      "spawn(process.execPath, [MAIN, '--chat-port=6350']);",
      "spawnSync('npm', ['start', '--silent', '--', '--headless']);",
      "const p = createChatPlugin({ host: '127.0.0.1', discovery: false });",
      'const p = createChatPlugin();',
      "new PeerdeckNode({ plugins: [createChatPlugin({ port: 6350 })] });",
      // Chat on a free port, but LAN discovery on: it multicasts on the LAN (and binds UDP 6350).
      "spawn(process.execPath, [BIN, '--headless', '--chat-port', '0']);",
      "const base = ['--chat-port', '0', '--chat-host', '127.0.0.1'];\nspawn(process.execPath, [MAIN, ...base]);",
      "createChatPlugin({ port: 0, host: '127.0.0.1' });",
      "createChatPlugin({ port: 0, discovery: { interface: '192.168.1.2' } });",
      // A quote in a regular expression or a comment does not hide what follows.
      "const q = a.replace(/'/g, 'x'); // it's\nspawn(process.execPath, [MAIN, `--nick=${q}`]);",
    ];
    for (const text of flagged) expect(fixedPortRuns('t.ts', text), text).toHaveLength(1);
    const passing = [
      "spawn(process.execPath, [BIN, '--headless', '--no-chat', ...args]);",
      "spawn(process.execPath, [BIN, '--headless', '--chat-port', '0', '--no-discovery']);",
      "spawn(process.execPath, [MAIN, '--chat-port=0', '--no-discovery']);",
      'spawn(process.execPath, [BIN, ...chatPortZero(args)]);',
      "const SAFE = ['--headless', '--no-chat'];\nspawnSync(process.execPath, [MAIN, ...SAFE, '--data-dir', d]);",
      "const inNs = (ns) => ['ip', 'netns', 'exec', ns, process.execPath, MAIN];",
      'const cmd = opts.command ?? [process.execPath, MAIN];',
      "await startCli(args, { command: ['npm', 'start', '--'] });",
      "spawnSync('npm', ['start', '--silent', '--', '--version', '--no-chat']);",
      "createChatPlugin({ port: 0, host: '127.0.0.1', discovery: false });",
      "createChatPlugin({ port: 0, discovery: { group: '239.255.63.51', port: 0, interface: '127.0.0.1' } });",
      'createChatPlugin(chatOpts({ targetDegree: 0 }));',
      "spawn('nats-server', ['-p', String(port)]);",
      'const x = `${[process.execPath, MAIN, ...chatPortZero(args)].join(" ")}`;',
    ];
    for (const text of passing) expect(fixedPortRuns('t.ts', text), text).toEqual([]);
  });

  it('the helpers add --chat-port 0 unless the arguments say how chat listens, and --no-discovery where chat runs', () => {
    for (const f of [chatPortZero, benchChatPortZero]) {
      expect(f(['--headless'])).toEqual(['--headless', '--chat-port', '0', '--no-discovery']);
      expect(f([])).toEqual(['--chat-port', '0', '--no-discovery']);
      expect(f(['--no-chat', '--share', 'x'])).toEqual(['--no-chat', '--share', 'x']);
      expect(f(['--chat-port', '7000'])).toEqual(['--chat-port', '7000', '--no-discovery']);
      expect(f(['--chat-port=7000', '--no-discovery'])).toEqual(['--chat-port=7000', '--no-discovery']);
      // Only where the datagrams cannot leave (a network namespace of its own).
      expect(f(['--nick', 'a'], true)).toEqual(['--nick', 'a', '--chat-port', '0']);
    }
  });
});
