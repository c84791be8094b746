#!/usr/bin/env node
// `npm start`: runs the compiled program at once, and compiles first only when a source file
// under src/, protocols/ or tui/ differs from the last build (bin/build.js). The build is made
// at install time (the `prepare` script), so a fresh `npm ci && npm start` does not wait for
// tsc, and neither does any later start until a source file changes.
import { build, staleSource } from './build.js';

const stale = staleSource();
if (stale) {
  process.stderr.write(`peerdeck: ${stale} changed since the last build; compiling (tsc)...\n`);
  const status = build();
  if (status !== 0) {
    process.stderr.write('peerdeck: the build failed (see above)\n');
    process.exit(status);
  }
}
const { run } = await import('../dist/src/main.js');
run(process.argv.slice(2));
