/**
 * Flags, ZWJ emoji and emoji with VS16 on the real TUI (blessed) read back
 * through a terminal that clusters graphemes as modern terminals do
 * (virtual-terminal.ts): no stray letters, nothing spreading to other
 * windows, Backspace taking the whole cluster, and Ctrl-L repainting a
 * screen another program scribbled on.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from './fake-api.js';
import { VirtualTerminal } from './virtual-terminal.js';

let vt: VirtualTerminal | undefined;
afterEach(async () => {
  await vt?.quit();
  vt = undefined;
});

async function setup(cols = 60, rows = 12): Promise<{ vt: VirtualTerminal; api: FakeApi }> {
  const api = new FakeApi('alice');
  vt = new VirtualTerminal(cols, rows);
  await vt.start(api);
  await vi.waitFor(() => expect(vt?.line(0)).toContain('1:chat'));
  return { vt, api };
}

const AT = new Date(2026, 0, 1, 9, 5).getTime();

describe('grapheme clusters on screen', () => {
  it('a flag in a line leaves no stray letters as the window scrolls, and none in other windows', async () => {
    const { vt, api } = await setup();
    for (let i = 0; i < 30; i++) api.chat('bob', `tokyo 🇯🇵 ${i} 👩‍💻 ❤️ ok`, 'chat', AT);
    await vi.waitFor(() => expect(vt.text()).toContain('tokyo 🇯🇵 29 👩‍💻 ❤️ ok'));
    // Every body row is exactly one chat line: nothing left over from an earlier frame.
    const body = vt.screen().slice(1, vt.term.rows - 2);
    for (const [k, row] of body.entries()) expect(row).toBe(`09:05 <bob> tokyo 🇯🇵 ${30 - body.length + k} 👩‍💻 ❤️ ok`);
    expect(vt.line(0)).toMatch(/^ 1:chat\s+2:Transfers\s+3:Log\s*$/);
    vt.type('\x1b3');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[Log]'));
    const log = vt.screen().slice(1, vt.term.rows - 2).join('\n');
    expect(log).not.toMatch(/tokyo|🇯|ok|💻/);
    vt.type('\x1b1');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat]'));
    vt.type('\x1b[5~'); // PgUp redraws every row with flags at new offsets
    await vi.waitFor(() => expect(vt.text()).toContain('more below'));
    for (const row of vt.screen().slice(1, vt.term.rows - 3)) expect(row).toMatch(/^09:05 <bob> tokyo 🇯🇵 \d+ 👩‍💻 ❤️ ok$/);
  });

  it('lines up table columns after a flag in a name', async () => {
    const { vt, api } = await setup(70, 12);
    api.emit({ type: 'search.hit', search: 's1', n: 1, name: 'japan 🇯🇵.txt', size: 2048, source: '1.2.3.4:6346', protocol: 'gnutella' });
    api.emit({ type: 'search.hit', search: 's1', n: 2, name: 'plain.txt', size: 2048, source: '1.2.3.4:6346', protocol: 'gnutella' });
    await vi.waitFor(() => expect(vt.line(0)).toContain('Results'));
    vt.type('/win results\r');
    await vi.waitFor(() => expect(vt.text()).toContain('plain.txt'));
    const a = vt.screen().find((l) => l.includes('japan')) ?? '';
    const b = vt.screen().find((l) => l.includes('plain.txt')) ?? '';
    // The same column starts at the same cell in both rows.
    const cellOf = (row: string, needle: string): number => {
      const y = vt.screen().indexOf(row);
      const line = vt.term.buffer.active.getLine(y);
      for (let x = 0; line && x < vt.term.cols; x++) if (line.translateToString(true, x).startsWith(needle)) return x;
      return -1;
    };
    expect(cellOf(a, '2.0 KiB')).toBeGreaterThan(0);
    expect(cellOf(a, '2.0 KiB')).toBe(cellOf(b, '2.0 KiB'));
  });

  it('Backspace deletes a whole flag, ZWJ emoji or accented letter', async () => {
    const { vt } = await setup();
    vt.type('ab👩‍💻🇯🇵e\u0301');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat] ab👩‍💻🇯🇵e\u0301'));
    vt.type('\x7f');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat] ab👩‍💻🇯🇵'));
    vt.type('\x7f');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat] ab👩‍💻'));
    await vi.waitFor(() => expect(vt.cursor.x).toBe('[chat] ab'.length + 2));
    vt.type('\x7f');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[chat] ab'));
    expect(vt.cursor.x).toBe('[chat] ab'.length);
  });

  it('Ctrl-L repaints the whole screen, wiping what another program wrote over it', async () => {
    const { vt, api } = await setup();
    api.chat('bob', 'first line', 'chat', AT);
    await vi.waitFor(() => expect(vt.text()).toContain('<bob> first line'));
    const before = vt.screen();
    await new Promise<void>((r) => vt.term.write('\x1b[3;1HGARBAGE\x1b[1;1HJUNK', r));
    expect(vt.text()).toContain('GARBAGE');
    vt.type('\x0c');
    await vi.waitFor(() => expect(vt.text()).not.toMatch(/GARBAGE|JUNK/));
    expect(vt.screen()).toEqual(before);
  });
});
