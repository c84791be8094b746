import { describe, expect, it } from 'vitest';
import { keyCommand, typedChar } from '../../tui/keymap.js';

describe('keymap', () => {
  it('maps editing, history, scrolling and window keys', () => {
    expect(keyCommand({ full: 'C-w' })).toEqual({ kind: 'edit', action: { type: 'killWordBack' } });
    expect(keyCommand({ full: 'up' })).toEqual({ kind: 'edit', action: { type: 'historyUp' } });
    expect(keyCommand({ full: 'pageup' })).toEqual({ kind: 'scroll', to: 'pageUp' });
    expect(keyCommand({ full: 'home' })).toEqual({ kind: 'homeEnd', which: 'home' });
    expect(keyCommand({ full: 'M-1' })).toEqual({ kind: 'window', index: 0 });
    expect(keyCommand({ full: 'M-0' })).toEqual({ kind: 'window', index: 9 });
    expect(keyCommand({ full: 'C-p' })).toEqual({ kind: 'windowStep', delta: -1 });
    expect(keyCommand({ full: 'C-c' })).toEqual({ kind: 'quit' });
    expect(keyCommand({ name: 'return' })).toEqual({ kind: 'submit' });
    expect(keyCommand({ full: 'f12' })).toEqual({ kind: 'none' });
  });
  it('types printable characters only', () => {
    expect(typedChar('a', { name: 'a' })).toBe('a');
    expect(typedChar('é', {})).toBe('é');
    expect(typedChar('a', { ctrl: true })).toBeUndefined();
    expect(typedChar('\x1b', { name: 'escape' })).toBeUndefined();
    expect(typedChar(undefined, { name: 'up' })).toBeUndefined();
  });
});
