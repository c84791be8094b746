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
    }
  }
  return bad;
}

describe('architecture', () => {
  it('imports only point down: tui -> src, protocols -> src, src -> nothing above (but main.ts)', async () => {
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
    ];
    expect(violations(cases)).toHaveLength(cases.length);
    expect(
      violations([
        { file: join('src', 'main.ts'), text: "import { x } from '../protocols/chat/index.js';" },
        { file: join('protocols', 'chat', 'a.ts'), text: "import { y } from './codec.js'; import { z } from '../../src/errors.js';" },
      ]),
    ).toEqual([]);
  });
});
