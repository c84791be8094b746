#!/usr/bin/env node
// `npm start`: runs the compiled program at once, and compiles first (tsc) only when a
// source file under src/, protocols/ or tui/ is newer than its compiled output. The build
// is made at install time (the `prepare` script), so a fresh `npm ci && npm start` does not
// wait for tsc, and neither does any later start until a source file changes.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stampFile = join(dist, '.start-stamp');

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/** The first source file newer than both its compiled .js and the last build by this launcher. */
function staleSource() {
  const stamp = mtime(stampFile);
  if (mtime(join(dist, 'src', 'main.js')) < 0) return 'dist/src/main.js';
  if (mtime(join(root, 'tsconfig.json')) > Math.max(stamp, mtime(join(dist, '.tsbuildinfo')))) return 'tsconfig.json';
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        const hit = walk(p);
        if (hit) return hit;
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const rel = relative(root, p);
        const out = join(dist, rel.replace(/\.ts$/, '.js'));
        if (mtime(p) > Math.max(stamp, mtime(out))) return rel;
      }
    }
    return undefined;
  };
  for (const d of ['src', 'protocols', 'tui']) {
    const hit = walk(join(root, d));
    if (hit) return hit;
  }
  return undefined;
}

const stale = staleSource();
if (stale) {
  process.stderr.write(`peerdeck: ${stale} changed since the last build; compiling (tsc)...\n`);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('peerdeck: the build failed (see above)\n');
    process.exit(r.status ?? 1);
  }
  writeFileSync(stampFile, `${new Date().toISOString()}\n`);
}
await import('../dist/src/main.js');
