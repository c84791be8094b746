import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith('.ts')) out.push(relative(ROOT, join(e.parentPath, e.name)));
  }
  return out;
}

/** Every relative import in a file, resolved to a path from the project root. */
function imports(file: string, text: string): string[] {
  const found: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|import\s*['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec?.startsWith('.')) found.push(relative(ROOT, resolve(dirname(join(ROOT, file)), spec)));
  }
  return found;
}

/** Every import of a package or built-in (not a relative path), with whether it is type-only. */
function packageImports(text: string): Array<{ spec: string; typeOnly: boolean }> {
  const found: Array<{ spec: string; typeOnly: boolean }> = [];
  const re = /(?:import|export)\s+(type\s+)?[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|import\s*['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[2] ?? m[3] ?? m[4] ?? m[5];
    if (spec && !spec.startsWith('.')) found.push({ spec, typeOnly: m[1] !== undefined });
  }
  return found;
}

/** The core's API: the only src/ files tui/ may import (the AppApi contract, its clock, its error type and its wording, counts in words). */
// error-words.ts belongs with errors.ts: NetError codes and errno names as sentences for the user;
// words.ts is counts in words (`1 file`, `1.5 KiB`), said alike by the TUI and headless mode;
// shown-text.ts the one rule for remote text on a screen or in a log (TUI and headless text);
// help-text.ts, peer-table.ts and presence.ts are /help, /peers and /names (who is here), laid out
// and decided alike for the TUI and headless mode.
export const TUI_MAY_IMPORT = [
  join('src', 'app-api.ts'),
  join('src', 'clock.ts'),
  join('src', 'errors.ts'),
  join('src', 'error-words.ts'),
  join('src', 'words.ts'),
  join('src', 'shown-text.ts'),
  join('src', 'help-text.ts'),
  join('src', 'peer-table.ts'),
  join('src', 'presence.ts'),
];

/** The terminal library: only tui/ may load it. */
const TERMINAL_PACKAGES = new Set(['blessed', 'neo-blessed']);
/** Raw sockets: only src/net/ opens them (a type-only import, naming a socket the core hands out, is fine). */
const SOCKET_MODULES = new Set(['node:net', 'net']);

function top(path: string): string {
  return path.split(sep)[0] ?? '';
}

/** Layering rules from ARCHITECTURE.md; returns the violations. */
export function violations(files: Array<{ file: string; text: string }>): string[] {
  const bad: string[] = [];
  for (const { file, text } of files) {
    for (const target of imports(file, text)) {
      const from = top(file);
      const to = top(target);
      if (from === 'src' && (to === 'protocols' || to === 'tui') && file !== join('src', 'main.ts')) bad.push(`${file} -> ${target}`);
      if (from === 'tui' && to === 'protocols') bad.push(`${file} -> ${target}`);
      if (from === 'protocols' && to === 'tui') bad.push(`${file} -> ${target}`);
      if (from === 'protocols' && to === 'protocols') {
        const a = file.split(sep)[1];
        const b = target.split(sep)[1];
        if (a !== b) bad.push(`${file} -> ${target}`);
      }
      if (from === 'tui' && to === 'src' && !TUI_MAY_IMPORT.some((api) => target === api.replace(/\.ts$/, '.js') || target === api)) {
        bad.push(`${file} -> ${target} (tui/ imports only the core API: ${TUI_MAY_IMPORT.join(', ')})`);
      }
    }
    for (const { spec, typeOnly } of packageImports(text)) {
      if (TERMINAL_PACKAGES.has(spec) && top(file) !== 'tui') bad.push(`${file} -> ${spec} (only tui/ uses the terminal library)`);
      if (SOCKET_MODULES.has(spec) && !typeOnly && !file.startsWith(join('src', 'net') + sep)) bad.push(`${file} -> ${spec} (only src/net/ opens sockets)`);
    }
  }
  return bad;
}

describe('architecture', () => {
  it('imports only point down: tui -> the core API, protocols -> src, src -> nothing above (but main.ts); blessed only in tui/, sockets only in src/net/', async () => {
    const files = [...(await sources('src')), ...(await sources('protocols')), ...(await sources('tui'))];
    expect(files.length).toBeGreaterThan(10);
    const texts = await Promise.all(files.map(async (file) => ({ file, text: await readFile(join(ROOT, file), 'utf8') })));
    expect(violations(texts)).toEqual([]);
  });

  it('the checker catches each forbidden arrow', () => {
    const cases = [
      { file: join('src', 'node.ts'), text: "import { x } from '../protocols/chat/index.js';" },
      { file: join('src', 'net', 'a.ts'), text: "import('../../tui/index.js')" },
      { file: join('protocols', 'chat', 'a.ts'), text: "import { y } from '../gnutella/codec.js';" },
      { file: join('tui', 'a.ts'), text: "export { z } from '../protocols/napster/index.js';" },
      { file: join('protocols', 'pplus2', 'a.ts'), text: "import '../../tui/screen.js';" },
      { file: join('src', 'node.ts'), text: "import blessed from 'blessed';" },
      { file: join('protocols', 'chat', 'a.ts'), text: "const b = import('neo-blessed');" },
      { file: join('protocols', 'gnutella', 'a.ts'), text: "import { connect } from 'node:net';" },
      { file: join('src', 'transfer', 'a.ts'), text: "import * as net from 'net';" },
      { file: join('tui', 'a.ts'), text: "import { createServer, type Socket } from 'node:net';" },
      { file: join('tui', 'a.ts'), text: "import { ConnectionManager } from '../src/net/connection-manager.js';" },
      { file: join('tui', 'b.ts'), text: "import type { ShareLibrary } from '../src/share/share-library.js';" },
    ];
    expect(violations(cases)).toHaveLength(cases.length);
    expect(
      violations([
        { file: join('src', 'main.ts'), text: "import { x } from '../protocols/chat/index.js';" },
        { file: join('protocols', 'chat', 'a.ts'), text: "import { y } from './codec.js'; import { z } from '../../src/errors.js';" },
        { file: join('tui', 'a.ts'), text: "import blessed from 'blessed'; import type { AppApi } from '../src/app-api.js'; import { systemClock } from '../src/clock.js';" },
        { file: join('src', 'net', 'connection-group.ts'), text: "import { createServer, connect } from 'node:net';" },
        { file: join('protocols', 'pplus2', 'a.ts'), text: "import type { Socket } from 'node:net';" },
      ]),
    ).toEqual([]);
  });
});
