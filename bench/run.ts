/**
 * `npm run bench [filter...]`: runs every benchmark script in dist/bench one
 * after another (so they do not compete for the cores), echoes their
 * `name: value` lines, and ends with one table of every figure (issue 9):
 * ours, the reference measured in the same run, the ratio, the target, and the
 * date and machine it was measured on.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ROW_PREFIX, type Row } from './lib-measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.startsWith('lib-'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

/** Runs one bench script, echoing its output; resolves with its exit status and table rows. */
function runScript(script: string): Promise<{ status: number | string; rows: Row[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', join(here, script)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const rows: Row[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(ROW_PREFIX)) rows.push(JSON.parse(line.slice(ROW_PREFIX.length)) as Row);
      else process.stdout.write(line + '\n');
    });
    child.on('close', (code, signal) => resolve({ status: code ?? signal ?? 'unknown', rows }));
  });
}

const load0 = loadavg()[0] ?? 0;
const rows: Array<Row & { bench: string }> = [];
let failed = 0;
for (const s of scripts) {
  const name = s.replace(/\.js$/, '');
  process.stdout.write(`# ${name}\n`);
  const r = await runScript(s);
  for (const row of r.rows) rows.push({ ...row, bench: name });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`# ${s}: exited with ${r.status}\n`);
  }
}

const cpu = cpus();
const date = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
const esc = (s: string): string => s.replace(/\|/g, '\\|');
process.stdout.write(
  `\n# Speed, ${date}; ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
    `Node ${process.version}; load average ${load0.toFixed(1)} at start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end\n\n`,
);
process.stdout.write('| figure (`bench`) | ours: median (min-max) | reference, same run: median (min-max) | ratio | target |\n|---|---|---|---|---|\n');
for (const r of rows) {
  process.stdout.write(`| ${esc(r.figure)} (\`${r.bench}\`) | ${esc(r.ours)} | ${esc(r.reference)} | ${r.ratio} | ${esc(r.target)} |\n`);
}
process.exitCode = failed > 0 ? 1 : 0;
