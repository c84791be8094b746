/**
 * What a command-line mistake says (README "All flags"): one line naming the
 * flag, what is wrong and what it expects; parseArgs' raw words and the whole
 * usage were what a typo used to get.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chatFlags } from '../../protocols/chat/flags.js';
import { gnutellaFlags } from '../../protocols/gnutella/flags.js';
import { napsterFlags } from '../../protocols/napster/flags.js';
import { pplus2Flags } from '../../protocols/pplus2/flags.js';
import { parseConfig } from '../../src/config.js';
import { NetError } from '../../src/errors.js';

const PROTOCOLS = [chatFlags, pplus2Flags, napsterFlags, gnutellaFlags];

function usageError(argv: string[]): string {
  try {
    parseConfig(argv, PROTOCOLS);
  } catch (err) {
    expect(err).toBeInstanceOf(NetError);
    expect((err as NetError).code).toBe('USAGE');
    return (err as NetError).message;
  }
  throw new Error(`no usage error for ${JSON.stringify(argv)}`);
}

describe('command-line errors', () => {
  it('name the flag and what it expects', () => {
    expect(usageError(['--bogus'])).toBe('unknown flag --bogus');
    expect(usageError(['--sahre', 'x'])).toBe('unknown flag --sahre (did you mean --share?)');
    expect(usageError(['--pplus2-prt', '7000'])).toBe('unknown flag --pplus2-prt (did you mean --pplus2-port?)');
    expect(usageError(['-x'])).toBe('unknown flag -x');
    expect(usageError(['--chat-port'])).toBe('--chat-port needs a value (--chat-port PORT)');
    expect(usageError(['--pplus2-peer'])).toBe('--pplus2-peer needs a value (--pplus2-peer IP:P)');
    expect(usageError(['--headless=yes'])).toBe('--headless takes no value');
    expect(usageError(['--data-dir', '/tmp/x', 'extra'])).toBe(
      "unexpected argument 'extra' after /tmp/x: each value follows its flag, and one with spaces needs quotes",
    );
    expect(usageError(['--log-level', 'loud'])).toBe('--log-level: debug, info, warn or error, not loud');
    expect(usageError(['--scrollback', '5'])).toBe('--scrollback: a number of lines from 100 to 1000000, not 5');
  });

  it('any command line parses or gives a USAGE error, never another failure', () => {
    const word = fc.oneof(
      fc.constantFrom('--share', '--chat-port', '--pplus2-port', '--pplus2-host', '--gnutella', '--napster', '--headless', '--', '-', '-h', '--nick'),
      fc.string({ maxLength: 12 }),
      fc.string({ maxLength: 12 }).map((s) => `--${s}`),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (argv) => {
        try {
          parseConfig(argv, PROTOCOLS);
        } catch (err) {
          if (!(err instanceof NetError) || err.code !== 'USAGE') throw err;
          expect(err.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
