#!/usr/bin/env node
// Launcher for the compiled program (run `npm run build` after changing the sources).
import { startShareWorkersEarly } from '../dist/src/share/share-workers.js';

// A command line that shares a folder starts the share's worker threads first: they boot on the
// other core while the program's modules load (issue 9; src/share/share-workers.ts). Not for
// --help or --version, which would only wait at exit for workers still booting.
const args = process.argv.slice(2);
const says = (...flags) => args.some((a) => flags.some((f) => a === f || a.startsWith(`${f}=`)));
if (says('--share') && !says('--help', '-h', '--version')) startShareWorkersEarly();
await import('../dist/src/main.js');
