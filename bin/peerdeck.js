#!/usr/bin/env node
// Launcher for the compiled program (run `npm run build` after changing the sources).
import '../dist/src/main.js';
