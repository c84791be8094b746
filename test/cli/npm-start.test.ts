/**
 * `npm start` on an up-to-date build starts the compiled program at once (README "Quick
 * start"): no tsc run before the first line (it took 8-15 s when `start` compiled every time).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli-process.js';

describe('npm start', () => {
  it('runs the build made by npm ci / npm test without compiling again', () => {
    const t0 = Date.now();
    const r = spawnSync('npm', ['start', '--silent', '--', '--version'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const ms = Date.now() - t0;
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('peerdeck 0.1.0');
    expect(r.stderr).not.toMatch(/compiling/);
    // npm itself takes a few hundred ms; tsc over this project takes 8 s or more.
    expect(ms).toBeLessThan(6_000);
  }, 60_000);
});
