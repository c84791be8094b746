/**
 * A flag error from the real program: one line saying what is wrong, one
 * pointing to --help, exit code 2. It used to print the whole ~70-line usage
 * under the error, so the error scrolled away.
 */
import { describe, expect, it } from 'vitest';
import { runMainOnce } from './cli-process.js';

describe('peerdeck with a bad flag', () => {
  it('says what is wrong on one line, points to --help and exits 2', async () => {
    for (const [args, first] of [
      [['--chat-port', 'banana'], 'peerdeck: --chat-port: not a port: banana'],
      [['--sahre', '/tmp'], 'peerdeck: unknown flag --sahre (did you mean --share?)'],
      [['--nick', 'a\nb'], 'peerdeck: --nick: a control character: "a\\nb"'],
    ] as const) {
      const r = await runMainOnce([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(2);
      expect(lines[0]).toContain(first);
      expect(lines[1]).toBe("Run 'peerdeck --help' to see every flag.");
      expect(r.stdout).toBe('');
    }
  }, 60_000);

  it('--help still prints every flag', async () => {
    const r = await runMainOnce(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: peerdeck \[options\]\n/);
    expect(r.stdout.split('\n').length).toBeGreaterThan(40);
  }, 30_000);
});

describe('peerdeck with an address that cannot be one', () => {
  it('refuses it before starting anything, in one line, exit 2', async () => {
    const r = await runMainOnce(['--headless', '--no-chat', '--pplus2-port', '0', '--pplus2-host', '999.1.1.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("peerdeck: --pplus2-host: 999.1.1.1: not an IPv4 address (four numbers 0-255, e.g. 127.0.0.1)\nRun 'peerdeck --help' to see every flag.\n");
  }, 30_000);
});
