import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatFlags, parseChatFlags } from '../../protocols/chat/flags.js';
import { napsterFlags } from '../../protocols/napster/flags.js';
import { parsePplus2Flags, pplus2Flags } from '../../protocols/pplus2/flags.js';
import { parseConfig, usage } from '../../src/config.js';
import type { ProtocolFlags } from '../../src/flags.js';
import { defaultDataDir } from '../../src/paths.js';

const PROTOCOLS = [chatFlags, pplus2Flags, napsterFlags];
const pluginNames = async (argv: string[]): Promise<string[]> =>
  (await Promise.all(parseConfig(argv, PROTOCOLS).protocols.map((p) => p.setup.plugins({ nick: 'n', dataDir: '/tmp/x' })))).flat().map((x) => x.name);

describe('parseConfig', () => {
  it('reads the headless contract flags; each protocol reads its own', () => {
    const argv = ['--headless', '--json', '--nick', 'ann', '--chat-port', '0', '--connect', '127.0.0.1:5', '--connect', '[::1]:6', '--mesh', 'lab', '--no-discovery', '--data-dir', '/tmp/x'];
    const c = parseConfig(argv, PROTOCOLS);
    expect(c.headless && c.json).toBe(true);
    expect(c.nick).toBe('ann');
    expect(c.dataDir).toBe('/tmp/x');
    expect(c.protocols.map((p) => p.name)).toEqual(['chat', 'pplus2', 'napster']);
    expect(parseChatFlags({ 'chat-port': '0', connect: ['127.0.0.1:5', '[::1]:6'], mesh: 'lab', 'no-discovery': true })).toMatchObject({
      enabled: true,
      port: 0,
      connect: ['127.0.0.1:5', '[::1]:6'],
      mesh: 'lab',
      discovery: false,
    });
    expect(parsePplus2Flags({ 'pplus2-port': '7000', 'pplus2-host': '127.0.0.1', 'pplus2-peer': ['127.0.0.1:7003'] })).toEqual({ port: 7000, host: '127.0.0.1', peers: ['127.0.0.1:7003'] });
  });

  it('runs the protocols the flags ask for', async () => {
    expect(await pluginNames([])).toEqual(['chat']);
    expect(await pluginNames(['--no-chat'])).toEqual([]);
    expect(await pluginNames(['--pplus2-port', '7000', '--no-chat'])).toEqual(['pplus2']);
    expect(await pluginNames(['--napster-server', '--napster-port', '0'])).toEqual(['chat', 'napster']);
    expect(parseConfig(['--napster-server', '--napster-max-connections', '2000'], PROTOCOLS).protocols.find((p) => p.name === 'napster')?.setup.limits?.maxInbound).toBeGreaterThan(2000);
  });

  it('has defaults a newcomer expects', () => {
    const c = parseConfig([], PROTOCOLS, { HOME: '/home/u' });
    expect(parseChatFlags({})).toMatchObject({ enabled: true, port: 6350, discovery: true, mesh: 'default', degree: undefined });
    expect(parseChatFlags({ 'chat-degree': '1' }).degree).toBe(1);
    expect(parsePplus2Flags({})).toBeUndefined();
    expect(c.dataDir).toBe('/home/u/.local/share/peerdeck');
    expect(c.scrollback).toBe(10_000);
  });

  it('rejects bad input with a usage error', () => {
    for (const argv of [
      ['--chat-port', 'x'],
      ['--chat-port', '70000'],
      ['--connect', 'nohost'],
      ['--nick', 'a b'],
      ['--bogus'],
      ['--mesh', 'a/b'],
      ['--mesh-password-file', '/nonexistent/pw'],
      ['--pplus2-port', '65534'],
      ['--pplus2-port', '7000', '--pplus2-peer', 'host.example:7000'],
      ['--pplus2-peer', '127.0.0.1:7000'],
      ['--log-level', 'loud'],
      ['--scrollback', '5'],
      ['--chat-degree', '0'],
      ['--chat-degree', '17'],
      ['--chat-degree', '2.5'],
      ['--chat-degree', 'x'],
    ]) {
      expect(() => parseConfig(argv, PROTOCOLS), JSON.stringify(argv)).toThrowError(expect.objectContaining({ code: 'USAGE' }));
    }
    // without the protocols, their flags are unknown
    expect(() => parseConfig(['--chat-port', '1'])).toThrowError(expect.objectContaining({ code: 'USAGE' }));
  });

  it('reads the mesh password from the first line of its file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-cfg-'));
    try {
      await writeFile(join(dir, 'pw'), 'sesame\nignored\n');
      expect(parseChatFlags({ 'mesh-password-file': join(dir, 'pw') }).password).toBe('sesame');
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('refuses two protocols declaring one flag (a programmer error, not a usage error)', () => {
    const twin: ProtocolFlags = { name: 'twin', options: { 'chat-port': { type: 'string' } }, usage: '', parse: () => ({ plugins: async () => [] }) };
    expect(() => parseConfig([], [chatFlags, twin])).toThrowError(/--chat-port of twin is declared twice/);
  });

  it('usage lists every flag of the core and of each protocol', () => {
    const text = usage(PROTOCOLS);
    for (const p of PROTOCOLS) for (const name of Object.keys(p.options)) expect(text, name).toContain(`--${name}`);
    for (const name of ['headless', 'json', 'daemon', 'log-level', 'nick', 'data-dir', 'share', 'downloads', 'mouse', 'scrollback']) expect(text).toContain(`--${name}`);
    expect(text).toMatch(/^usage: peerdeck \[options\]\n/);
    expect(text).toMatch(/--help, --version$/);
  });

  it('follows XDG_DATA_HOME', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/x/data', HOME: '/h' })).toBe('/x/data/peerdeck');
    expect(defaultDataDir({ XDG_DATA_HOME: 'relative', HOME: '/h' })).toBe('/h/.local/share/peerdeck');
  });
});
