#!/usr/bin/env node
// Launcher for the compiled program (run `npm run build` after changing the sources).
import { startShareEarly } from '../dist/src/share/early-start.js';

// A command line that shares a folder starts the share's worker threads first: they boot on the
// other core while the program's modules load, and on a first start (no hash cache yet) begin the
// first scan there and then (issue 9; src/share/early-start.ts, src/share/early-scan.ts).
startShareEarly(process.argv.slice(2));
const { run } = await import('../dist/src/main.js');
run(process.argv.slice(2));
