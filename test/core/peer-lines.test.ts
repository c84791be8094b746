/**
 * The core's `/peers` listing and its `/help` lines, as headless mode prints them, in the TUI's
 * layout (one table, one help); bytes queued
 * in words (`queued 0 B`, `queued 1.5 MiB`; it said `queued 1572864`), as the TUI's /peers table
 * says them, and `/quit [reason]` as README has it.
 */
import { describe, expect, it } from 'vitest';
import { CORE_COMMANDS, helpLines, peerLines } from '../../src/node.js';
import { helpLines as tuiHelp } from '../../tui/local-commands.js';
import { rowText } from '../../tui/styled-text.js';
import { peersTable } from '../../tui/tables.js';

describe('/peers and the core /help lines', () => {
  it('say queued bytes in words', () => {
    const lines = peerLines([
      { protocol: 'chat', direction: 'out', address: '127.0.0.1:6350', nick: 'alice', uptimeMs: 63_000, queuedBytes: 0 },
      { protocol: 'pplus2', direction: 'in', address: '127.0.0.1:7000', uptimeMs: 5_000, queuedBytes: 1_572_864 },
    ]);
    // The TUI's table: a header, then the columns in its order (it printed `chat out 127.0.0.1:6350
    // alice up 1m03s queued 0 B`, protocol first and no header).
    expect(lines).toEqual([
      'address         protocol  dir  nick   uptime   queued',
      '127.0.0.1:6350  chat      out  alice   1m03s      0 B',
      '127.0.0.1:7000  pplus2    in              5s  1.5 MiB',
    ]);
    expect(peerLines([])).toEqual(['no live links']);
  });

  it('have the columns of the TUI /peers table, in its order and under its titles', () => {
    const peers = [{ protocol: 'chat', direction: 'in' as const, address: '10.0.0.2:40000', nick: 'bob', uptimeMs: 1_000, queuedBytes: 0 }];
    const header = (row: string): string[] => row.trim().split(/\s+/);
    expect(header(peerLines(peers)[0]!)).toEqual(header(rowText(peersTable(peers, 100)[0]!)));
    expect(header(peerLines(peers)[1]!)).toEqual(header(rowText(peersTable(peers, 100)[1]!)));
  });

  it('/help is laid out as the TUI lays it out: owners as headings, each command under its own', () => {
    const groups = [{ plugin: 'chat', commands: [{ name: 'me', args: '<text>', help: 'act' }] }];
    const tui = tuiHelp(groups, undefined);
    if (typeof tui === 'string') throw new Error(tui);
    const core = helpLines([{ plugin: 'core', commands: CORE_COMMANDS }, ...groups]);
    expect(core).toContain('chat:');
    expect(core).toContain('  /me <text>                    act');
    expect(tui.map((l) => rowText([...l.spans]))).toEqual(expect.arrayContaining(['chat:', '  /me <text>                    act']));
    expect(helpLines(groups, 'me')).toEqual(['/me <text>  (chat) act']);
    expect(tuiHelp(groups, 'me')).toEqual([expect.objectContaining({ spans: [expect.objectContaining({ text: '/me <text>  (chat) act' })] })]);
  });

  it('give /quit its reason, as README does', () => {
    expect(CORE_COMMANDS.find((c) => c.name === 'quit')?.args).toBe('[reason]');
  });

  it('say an unknown /help topic as an unknown command is said, in the TUI too (it read "no command /x" here, "no such command: /x" there)', () => {
    expect(() => helpLines([{ plugin: 'core', commands: CORE_COMMANDS }], 'bogus')).toThrowError('unknown command /bogus (try /help)');
  });
});
