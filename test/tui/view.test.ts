import { describe, expect, it } from 'vitest';
import type { AppSnapshot } from '../../src/app-api.js';
import { edit, emptyEditor } from '../../tui/line-editor.js';
import { rowText, rowWidth } from '../../tui/styled-text.js';
import { strWidth } from '../../tui/text-width.js';
import { UiModel } from '../../tui/ui-model.js';
import { composeFrame, inputRow, statusBar, tabAt, tabBar } from '../../tui/view.js';

const NOW = new Date(2026, 0, 1, 8, 9).getTime();
const snapshot: AppSnapshot = {
  nick: 'me',
  plugins: ['chat', 'gnutella'],
  ports: { chat: 6350, gnutella: 6346 },
  status: { chat: { ports: { chat: 6350 }, peers: 3 }, gnutella: { ports: { gnutella: 6346 }, peers: 12, firewalled: true } },
  peers: [],
};

describe('view', () => {
  it('status bar: clock, nick, ports and peers per protocol, firewalled, rates, more marker', () => {
    const m = new UiModel('me', snapshot.plugins, 100, () => NOW);
    m.apply({ type: 'transfer.progress', id: 1, name: 'f', direction: 'down', peer: '10.0.0.2:7000', bytes: 1, total: 2, rate: 2048, eta: 1 });
    const text = rowText(statusBar(m, snapshot, 120, NOW, 4));
    expect(text).toMatch(/^ \[08:09\] \[me\] \[chat :6350 3 peers\] \[gnutella :6346 12 peers fw\] \[↓2\.0 KiB\/s ↑0 B\/s\] -- more: 4 below --\s*$/);
    expect(strWidth(text)).toBe(120);
  });

  it('window bar labels and clicks map to the same windows', () => {
    const m = new UiModel('me', ['chat'], 100, () => NOW);
    const bar = rowText(tabBar(m, 60));
    expect(bar.trimEnd()).toBe(' 1:chat  2:Transfers  3:Log');
    expect(tabAt(m, 0)).toBe(0);
    expect(tabAt(m, bar.indexOf('Transfers'))).toBe(1);
    expect(tabAt(m, bar.indexOf('Log') + 2)).toBe(2);
    expect(tabAt(m, 59)).toBeUndefined();
  });

  it('input row scrolls horizontally to keep the cursor visible, counting wide chars', () => {
    let e = edit(emptyEditor, { type: 'insert', text: 'x'.repeat(50) + '中文' });
    const { row, cursorCol } = inputRow('> ', e, 30);
    expect(rowWidth(row)).toBe(30);
    expect(cursorCol).toBeLessThan(30);
    expect(rowText(row)).toContain('中文');
    e = edit(e, { type: 'home' });
    const home = inputRow('> ', e, 30);
    expect(home.cursorCol).toBe(2);
    expect(rowText(home.row).startsWith('> xxx')).toBe(true);
  });

  it('a frame fills the screen exactly at any size', () => {
    const m = new UiModel('me', ['chat'], 100, () => NOW);
    for (let i = 0; i < 30; i++) m.info(m.activeTab, `line ${i} 日本語`);
    for (const [cols, rows] of [[20, 5], [80, 24], [33, 4]] as const) {
      const f = composeFrame({ model: m, cols, rows, snapshot, now: NOW });
      const all = [f.tabBar, ...f.body, f.status, f.input];
      expect(all).toHaveLength(rows);
      for (const r of all) expect(rowWidth(r)).toBe(cols);
    }
  });
});

describe('help', () => {
  it('lists the TUI commands first and hides plugin commands they shadow', async () => {
    const { helpLines } = await import('../../tui/local-commands.js');
    const lines = helpLines([{ plugin: 'core', commands: [{ name: 'help', args: '', help: 'core help' }, { name: 'peers', args: '', help: 'p' }] }, { plugin: 'chat', commands: [{ name: 'me', args: '<text>', help: 'act' }] }], undefined);
    if (typeof lines === 'string') throw new Error(lines);
    const text = lines.map((l) => rowText([...l.spans]));
    expect(text[0]).toBe('tui:');
    expect(text).not.toContain('core:');
    expect(text).toContain('chat:');
    expect(text.some((t) => t.includes('/me <text>') && t.includes('act'))).toBe(true);
    expect(helpLines([], 'nope')).toBe('unknown command /nope (try /help)');
    // /quit takes the reason the other nodes see, as README and the core's /help say.
    const quit = helpLines([], 'quit');
    if (typeof quit === 'string') throw new Error(quit);
    expect(quit.map((l) => rowText([...l.spans]))).toEqual(['/quit [reason]  (tui) leave peerdeck (also Ctrl-C); the other nodes see the reason']);
    // /peers names its columns in the table's order (address, protocol, dir, nick, uptime, queued).
    const peers = helpLines([], 'peers');
    if (typeof peers === 'string') throw new Error(peers);
    expect(rowText([...peers[0]!.spans])).toContain('address, protocol, direction, nick, uptime, bytes queued to send');
  });
});
