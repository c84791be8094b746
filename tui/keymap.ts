/**
 * Which key does what, irssi-flavoured. blessed parses the escape sequences
 * into `{ name, ctrl, meta, shift, full }`; this maps them to commands for the
 * controller. Pure, so the whole table is unit-tested.
 */
import type { EditAction } from './line-editor.js';

/** The subset of blessed's key event we read. */
export interface KeyInfo {
  name?: string;
  full?: string;
  ctrl?: boolean;
  meta?: boolean;
  shift?: boolean;
}

/** What a key asks the controller to do. */
export type KeyCommand =
  | { kind: 'edit'; action: Exclude<EditAction, { type: 'complete' }> }
  | { kind: 'complete' }
  | { kind: 'submit' }
  | { kind: 'window'; index: number }
  | { kind: 'windowStep'; delta: 1 | -1 }
  | { kind: 'scroll'; to: 'pageUp' | 'pageDown' | 'top' | 'bottom' }
  /** Home/End: move in the input line, or scroll when the line is empty. */
  | { kind: 'homeEnd'; which: 'home' | 'end' }
  /** In a table window: PgUp/PgDn move the table or the messages (Ctrl-O). */
  | { kind: 'pane' }
  | { kind: 'quit' }
  | { kind: 'redraw' }
  | { kind: 'none' };

const BY_FULL: Record<string, KeyCommand> = {
  'C-c': { kind: 'quit' },
  return: { kind: 'submit' },
  enter: { kind: 'submit' },
  backspace: { kind: 'edit', action: { type: 'backspace' } },
  'C-h': { kind: 'edit', action: { type: 'backspace' } },
  delete: { kind: 'edit', action: { type: 'delete' } },
  'C-d': { kind: 'edit', action: { type: 'delete' } },
  left: { kind: 'edit', action: { type: 'left' } },
  'C-b': { kind: 'edit', action: { type: 'left' } },
  right: { kind: 'edit', action: { type: 'right' } },
  'C-f': { kind: 'edit', action: { type: 'right' } },
  'M-b': { kind: 'edit', action: { type: 'wordLeft' } },
  'C-left': { kind: 'edit', action: { type: 'wordLeft' } },
  'M-f': { kind: 'edit', action: { type: 'wordRight' } },
  'C-right': { kind: 'edit', action: { type: 'wordRight' } },
  home: { kind: 'homeEnd', which: 'home' },
  end: { kind: 'homeEnd', which: 'end' },
  'C-a': { kind: 'edit', action: { type: 'home' } },
  'C-e': { kind: 'edit', action: { type: 'end' } },
  'C-w': { kind: 'edit', action: { type: 'killWordBack' } },
  'M-backspace': { kind: 'edit', action: { type: 'killWordBack' } },
  'C-u': { kind: 'edit', action: { type: 'killToStart' } },
  'C-k': { kind: 'edit', action: { type: 'killToEnd' } },
  'C-y': { kind: 'edit', action: { type: 'yank' } },
  'C-t': { kind: 'edit', action: { type: 'transpose' } },
  up: { kind: 'edit', action: { type: 'historyUp' } },
  down: { kind: 'edit', action: { type: 'historyDown' } },
  tab: { kind: 'complete' },
  pageup: { kind: 'scroll', to: 'pageUp' },
  pagedown: { kind: 'scroll', to: 'pageDown' },
  'S-up': { kind: 'scroll', to: 'pageUp' },
  'S-down': { kind: 'scroll', to: 'pageDown' },
  'C-home': { kind: 'scroll', to: 'top' },
  'M-home': { kind: 'scroll', to: 'top' },
  'C-end': { kind: 'scroll', to: 'bottom' },
  'M-end': { kind: 'scroll', to: 'bottom' },
  'C-n': { kind: 'windowStep', delta: 1 },
  'C-p': { kind: 'windowStep', delta: -1 },
  'M-right': { kind: 'windowStep', delta: 1 },
  'M-left': { kind: 'windowStep', delta: -1 },
  'C-l': { kind: 'redraw' },
  'C-o': { kind: 'pane' },
};

/** The command bound to a key, or `none`. */
export function keyCommand(key: KeyInfo): KeyCommand {
  const full = key.full ?? key.name ?? '';
  const mapped = BY_FULL[full];
  if (mapped) return mapped;
  // Alt+1..9 -> windows 1..9, Alt+0 -> window 10.
  const m = /^M-([0-9])$/.exec(full);
  if (m?.[1]) {
    const d = Number(m[1]);
    return { kind: 'window', index: d === 0 ? 9 : d - 1 };
  }
  return { kind: 'none' };
}

/** A key that types a character (not a control or Alt combination). */
export function typedChar(ch: string | undefined, key: KeyInfo): string | undefined {
  if (!ch || key.ctrl || key.meta) return undefined;
  const c = ch.charCodeAt(0);
  if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) return undefined;
  return ch;
}
