/**
 * README "All flags" is the `--help` text: a flag's help changed in one place and not the
 * other (`--connect` said "dial a chat peer at start-up" in --help while README said it is
 * kept linked and retried) is caught here.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runMainOnce } from './cli-process.js';

describe('README "All flags"', () => {
  it('is what `peerdeck --help` prints, line for line', async () => {
    const r = await runMainOnce(['--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.slice(2).trimEnd());
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## All flags'));
    const block = /```\n([\s\S]*?)\n```/.exec(section)?.[1] ?? '';
    expect(help.length).toBeGreaterThan(40);
    expect(block.split('\n').map((l) => l.trimEnd())).toEqual(help);
  });

  it('says of every listening port flag that 0 picks a free port, and calls the TUI\'s windows windows', async () => {
    const r = await runMainOnce(['--help']);
    const ports = r.stdout.split('\n').filter((l) => /^\s+--[\w-]+-port (?:P|PORT)\s/.test(l));
    expect(ports.map((l) => l.trim().split(' ')[0])).toEqual(['--chat-port', '--pplus2-port', '--napster-port', '--napster-data-port', '--gnutella-port']);
    // --pplus2-port said only "run P+2 on ports P, P+1, P+2", though README and the tests use 0.
    for (const l of ports) expect(l).toMatch(/\b0 = /);
    expect(r.stdout).not.toMatch(/\bper tab\b/);
  }, 30_000);

  it('describes every option: after the flag and its argument comes what it does, not only its default', async () => {
    const r = await runMainOnce(['--help']);
    const options = r.stdout.split('\n').filter((l) => /^\s+--/.test(l) && !l.includes('--help, --version'));
    expect(options.length).toBeGreaterThan(40);
    // `  --flag ARG   what it does (default ...)`: an argument is an upper-case word (N, HOST:PORT|URL, N/SECS).
    const undescribed = options.filter((l) => {
      const what = /^\s+--[\w-]+(?: [A-Z][\w:|/.-]*)?\s+(.*)$/.exec(l)?.[1] ?? '';
      // Nothing, only an argument word, or only the default is no description.
      return what === '' || /^[A-Z][\w:|/.-]*$/.test(what) || /^\(?default\b/.test(what);
    });
    // --napster-max-connections said only "default 1024".
    expect(undescribed).toEqual([]);
  }, 30_000);
});
