/**
 * `npm start` on an up-to-date build starts the compiled program at once (README "Quick
 * start"): no tsc run before the first line (it took 8-15 s when `start` compiled every time).
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli-process.js';

describe('npm start', () => {
  it('runs the build made by npm ci / npm test without compiling again', () => {
    // bin/build.js rewrites this manifest after every tsc run, and only then.
    const manifest = join(ROOT, 'dist', '.sources.json');
    const builtBefore = statSync(manifest).mtimeMs;
    const r = spawnSync('npm', ['start', '--silent', '--', '--version', '--no-chat'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('peerdeck 0.1.0');
    expect(r.stderr).not.toMatch(/compiling/);
    // No build ran: a time limit said the same but failed on a busy machine (6.5 s at load 10).
    expect(statSync(manifest).mtimeMs).toBe(builtBefore);
  }, 60_000);
});
