/**
 * The core's `/peers` listing and its `/help` lines, as headless mode prints them, in the TUI's
 * layout (one table, one help); bytes queued
 * in words (`queued 0 B`, `queued 1.5 MiB`; it said `queued 1572864`), as the TUI's /peers table
 * says them, and `/quit [reason]` as README has it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CORE_COMMANDS, helpLines, peerLines } from '../../src/node.js';
import { helpLines as tuiHelp } from '../../tui/local-commands.js';
import { rowText } from '../../tui/styled-text.js';
import { peersTable } from '../../tui/tables.js';
import { startP2Node, type P2Node } from '../pplus2/pplus2-net.js';

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

describe('/peers while P+2 runs', () => {
  const nodes: P2Node[] = [];
  afterEach(async () => {
    for (const n of nodes.splice(0).reverse()) await n.stop();
  });

  it('says that P+2 keeps no links and how many peers it knows (it said only "no live links" under a status bar of "1 peer")', async () => {
    const a = await startP2Node(0, {});
    nodes.push(a);
    const b = await startP2Node(1, {}, { peers: [`127.0.0.1:${a.port}`] });
    nodes.push(b);
    const note = 'pplus2 keeps no links: it knows 1 peer and connects to one only to ask it something (/known lists them)';
    // Once B's first peer-list exchange with A is over (a link only while it lasts).
    await vi.waitFor(async () => expect(await b.node.run('core', 'peers', [])).toEqual(['no live links', note]));
    expect(b.node.snapshot().status['pplus2']?.peers).toBe(1);
    const table = peersTable([], 100, note).map(rowText);
    expect(table.slice(1)).toEqual(['no live links', note]);
    expect(peerLines([{ protocol: 'chat', direction: 'out', address: '127.0.0.1:6350', uptimeMs: 1_000, queuedBytes: 0 }], note).at(-1)).toBe(note);
  });
});

