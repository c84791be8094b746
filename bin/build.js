#!/usr/bin/env node
// `npm run build` (and the `prepare`, `test` and `bench` scripts): compiles with tsc, then
// records a hash of every source file of the program (src/, protocols/, tui/) in
// dist/.sources.json, so `npm start` (bin/start.js) can tell an up-to-date build from a
// stale one by content: a file whose mtime moved (a git checkout, a rebase) but whose text
// did not is not a reason to compile again.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifestFile = join(root, 'dist', '.sources.json');
const SOURCE_DIRS = ['src', 'protocols', 'tui'];

/** Every source file of the program, relative to the root (plus tsconfig.json). */
function sources() {
  const out = ['tsconfig.json'];
  const walk = (dir) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  for (const d of SOURCE_DIRS) walk(d);
  return out;
}

const hash = (rel) => createHash('sha1').update(readFileSync(join(root, rel))).digest('hex');

/** Runs tsc; on success records the sources' hashes. Returns tsc's exit status. */
export function build() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (r.status !== 0) return r.status ?? 1;
  writeFileSync(manifestFile, JSON.stringify(Object.fromEntries(sources().map((f) => [f, hash(f)]))) + '\n');
  return 0;
}

/**
 * The first source file whose text differs from the last build's, or undefined when the
 * build is up to date. Only files touched since that build are read.
 */
export function staleSource() {
  let built;
  let manifest;
  try {
    built = statSync(manifestFile).mtimeMs;
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    statSync(join(root, 'dist', 'src', 'main.js'));
  } catch {
    return 'dist/';
  }
  for (const f of sources()) {
    if (statSync(join(root, f)).mtimeMs <= built) continue;
    if (manifest[f] !== hash(f)) return relative('.', f);
  }
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = build();
