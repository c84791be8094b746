import { describe, expect, it } from 'vitest';
import { infoLine, plainLine } from '../../tui/line-format.js';
import { bottomSeq, linesBelow, scrollBottom, scrollDown, scrollTop, scrollUp, visibleRows } from '../../tui/scroll.js';
import { rowText } from '../../tui/styled-text.js';
import { UiModel } from '../../tui/ui-model.js';

function tabWith(n: number, cap = 1000) {
  const m = new UiModel('me', ['chat'], cap, () => 0);
  const tab = m.tabs[0];
  if (!tab) throw new Error('no tab');
  for (let i = 0; i < n; i++) tab.lines.push(plainLine(`line ${i}`));
  return tab;
}

describe('scrolling', () => {
  it('shows the newest rows while following', () => {
    const tab = tabWith(10);
    expect(visibleRows(tab, 20, 3).map(rowText)).toEqual(['line 7', 'line 8', 'line 9']);
  });

  it('counts wrapped rows', () => {
    const tab = tabWith(0);
    tab.lines.push(infoLine(0, 'a long line that wraps over rows'));
    const rows = visibleRows(tab, 20, 10).map(rowText);
    expect(rows.length).toBeGreaterThan(1);
    expect(rows[1]?.startsWith('          ')).toBe(true);
  });

  it('pages up and down, stays put while lines arrive, and follows again at the bottom', () => {
    const tab = tabWith(20);
    scrollUp(tab, 20, 5, 4);
    expect(bottomSeq(tab)).toBe(15);
    tab.lines.push(plainLine('new'));
    expect(bottomSeq(tab)).toBe(15);
    expect(linesBelow(tab)).toBe(5);
    scrollDown(tab, 20, 2);
    expect(bottomSeq(tab)).toBe(17);
    scrollDown(tab, 20, 100);
    expect(tab.anchor).toBeNull();
    scrollTop(tab, 20, 5);
    expect(visibleRows(tab, 20, 4).map(rowText)).toEqual(['line 0', 'line 1', 'line 2', 'line 3']);
    scrollBottom(tab);
    expect(linesBelow(tab)).toBe(0);
  });

  it('cannot scroll a window that fits on one screen', () => {
    const tab = tabWith(2);
    scrollUp(tab, 20, 10, 9);
    expect(tab.anchor).toBeNull();
  });

  it('clamps an anchor whose line was evicted', () => {
    const tab = tabWith(10, 10);
    scrollUp(tab, 20, 3, 5);
    const anchored = bottomSeq(tab);
    for (let i = 0; i < 20; i++) tab.lines.push(plainLine(`more ${i}`));
    expect(anchored).toBeLessThan(tab.lines.firstSeq);
    expect(bottomSeq(tab)).toBe(tab.lines.firstSeq);
  });
});
