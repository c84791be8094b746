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
import { hostProblem, isIP, parseHostPort } from '../../src/net/address.js';

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
    const blob = 'x'.repeat(1_000_000); // a pasted blob: said at once (edit distances to every flag took seconds)
    expect(usageError([`--${blob}`])).toBe(`unknown flag --${blob}`);
    expect(usageError(['--chat-port'])).toBe('--chat-port needs a value (--chat-port PORT)');
    expect(usageError(['--pplus2-peer'])).toBe('--pplus2-peer needs a value (--pplus2-peer IP:P)');
    expect(usageError(['--headless=yes'])).toBe('--headless takes no value');
    expect(usageError(['--share', '--headless'])).toBe('--share needs a value (--share DIR)');
    expect(usageError(['--napster-server', '--napster-max-clones', '-1'])).toBe(
      "--napster-max-clones needs a value (--napster-max-clones N); a value that starts with '-' is written --napster-max-clones=-1",
    );
    expect(usageError(['--napster-server', '--napster-max-clones=-1'])).toBe('--napster-max-clones: a number 0..1000000: -1');
    expect(usageError(['--napster', '127.0.0.1:8888', '--napster-speed', '11'])).toBe('--napster-speed: a number from 0 to 10, not 11');
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

describe('address flags', () => {
  const base = ['--no-chat'];
  it('refuse what cannot be an address when the flags are read, not by a DNS error at start-up', () => {
    expect(usageError([...base, '--pplus2-port', '0', '--pplus2-host', '999.1.1.1'])).toBe(
      '--pplus2-host: 999.1.1.1: not an IPv4 address (four numbers 0-255, e.g. 127.0.0.1)',
    );
    expect(usageError([...base, '--pplus2-port', '0', '--pplus2-host', '[::1]'])).toMatch(/^--pplus2-host: \[::1\]: not an IPv6 address/);
    expect(usageError([...base, '--pplus2-port', '0', '--pplus2-host', 'my_host'])).toMatch(/^--pplus2-host: my_host: not an IP address or host name/);
    expect(usageError([...base, '--pplus2-port', '0', '--pplus2-host', ''])).toBe('--pplus2-host: : empty');
    expect(usageError([...base, '--pplus2-port', '0', '--pplus2-peer', '999.1.1.1:7000'])).toMatch(/^--pplus2-peer: not an IP:PORT/);
    expect(usageError([...base, '--gnutella', '--gnutella-host', '10.0.0.256'])).toMatch(/^--gnutella-host: 10\.0\.0\.256: not an IPv4 address/);
    expect(usageError([...base, '--gnutella', '--gnutella-peer', '999.1.1.1:6346'])).toMatch(/^--gnutella-peer: not a host:port/);
    expect(usageError([...base, '--gnutella', '--gnutella-bootstrap', '999.1.1.1:6346'])).toMatch(/^--gnutella-bootstrap: /);
    expect(usageError([...base, '--gnutella', '--gnutella-bootstrap', 'http://my_host/gwc'])).toMatch(/^--gnutella-bootstrap: http:\/\/my_host\/gwc: my_host is not an IP address or host name/);
    expect(usageError([...base, '--gnutella-peer', '127.0.0.1:6346'])).toBe('--gnutella-peer needs --gnutella');
    expect(usageError([...base, '--napster-server', '--napster-host', '1.2.3'])).toMatch(/^--napster-host: 1\.2\.3: not an IPv4 address/);
    expect(usageError([...base, '--napster', '999.1.1.1:8888'])).toMatch(/^--napster: not a host:port/);
    expect(usageError([...base, '--napster', '127.0.0.1:8888', '--napster-data-host', '300.1.1.1'])).toMatch(/^--napster-data-host: 300\.1\.1\.1: not an IPv4/);
    expect(usageError([...base, '--napster-server', '--napster-cluster', 'nats://999.1.1.1:4222'])).toMatch(/^--napster-cluster: .*999\.1\.1\.1 is not an IPv4/);
    expect(usageError(['--chat-host', '999.1.1.1'])).toMatch(/^--chat-host: 999\.1\.1\.1: not an IPv4 address/);
    expect(usageError(['--chat-host', 'my_host'])).toMatch(/^--chat-host: my_host: not an IP address or host name/);
  });

  it('take literal IPs and host names', () => {
    for (const host of ['127.0.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'localhost', 'example.org', 'a-b.example.']) {
      expect(() => parseConfig(['--chat-host', host], PROTOCOLS), host).not.toThrow();
      const c = parseConfig([...base, '--pplus2-port', '0', '--pplus2-host', host, '--gnutella', '--gnutella-host', host, '--napster-server', '--napster-host', host], PROTOCOLS);
      expect(c.protocols.map((p) => p.name), host).toContain('gnutella');
    }
    expect(parseHostPort('example.org:80')).toEqual({ host: 'example.org', port: 80 });
    expect(parseHostPort('127.0.0.1:80')).toEqual({ host: '127.0.0.1', port: 80 });
  });

  it('a host of dotted numbers is an IPv4 address or nothing (never a name to look up)', () => {
    const part = fc.integer({ min: 0, max: 2000 });
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), (parts) => {
        const host = parts.join('.');
        const valid = parts.length === 4 && parts.every((p) => p <= 255);
        expect(hostProblem(host) === undefined, host).toBe(valid);
        expect(parseHostPort(`${host}:80`) !== undefined, host).toBe(valid);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        // Anything accepted is an IP literal or a name of letters, digits, '-' and '.'.
        if (hostProblem(s) === undefined) expect(isIP(s) !== 0 || /^[A-Za-z0-9.-]+$/.test(s), s).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
