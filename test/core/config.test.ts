import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { defaultDataDir } from '../../src/paths.js';

describe('parseConfig', () => {
  it('reads the headless contract flags', () => {
    const c = parseConfig(['--headless', '--json', '--nick', 'ann', '--chat-port', '0', '--connect', '127.0.0.1:5', '--connect', '[::1]:6', '--mesh', 'lab', '--no-discovery', '--data-dir', '/tmp/x']);
    expect(c.headless && c.json).toBe(true);
    expect(c.nick).toBe('ann');
    expect(c.chat).toMatchObject({ port: 0, connect: ['127.0.0.1:5', '[::1]:6'], mesh: 'lab', discovery: false });
    expect(c.dataDir).toBe('/tmp/x');
    expect(parseConfig(['--pplus2-port', '7000', '--pplus2-host', '127.0.0.1', '--pplus2-peer', '127.0.0.1:7003']).pplus2).toEqual({ port: 7000, host: '127.0.0.1', peers: ['127.0.0.1:7003'] });
  });

  it('has defaults a newcomer expects', () => {
    const c = parseConfig([], { HOME: '/home/u' });
    expect(c.chat.port).toBe(6350);
    expect(c.chat.discovery).toBe(true);
    expect(c.dataDir).toBe('/home/u/.local/share/peerdeck');
    expect(c.scrollback).toBe(10_000);
  });

  it('rejects bad input with a usage error', () => {
    for (const argv of [['--chat-port', 'x'], ['--chat-port', '70000'], ['--connect', 'nohost'], ['--nick', 'a b'], ['--bogus'], ['--mesh', 'a/b'], ['--mesh-password-file', '/nonexistent/pw']]) {
      expect(() => parseConfig(argv)).toThrowError(expect.objectContaining({ code: 'USAGE' }));
    }
  });

  it('follows XDG_DATA_HOME', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/x/data', HOME: '/h' })).toBe('/x/data/peerdeck');
    expect(defaultDataDir({ XDG_DATA_HOME: 'relative', HOME: '/h' })).toBe('/h/.local/share/peerdeck');
  });
});
