/**
 * The input line as a pure state machine: every key is an action that maps one
 * EditorState to the next. Emacs-style keys as irssi/bash have them (Ctrl-A/E/
 * W/U/K), history browsing that keeps the unsent draft, and Tab completion that
 * cycles through candidates on repeated presses, Ctrl-Y yanking the last kill
 * and Ctrl-T transposing. Text is held as grapheme clusters, so the cursor never
 * lands inside a flag, a ZWJ emoji or a letter with its accents, and Backspace
 * deletes what the user sees as one character.
 */
import { graphemes } from './text-width.js';


/** Lines kept in one tab's input history. */
export const HISTORY_LIMIT = 500;

/** A Tab-completion in progress: repeated Tabs step through `candidates`. */
export interface CompletionSession {
  /** Code-point index where the completed word starts. */
  readonly start: number;
  readonly candidates: readonly string[];
  readonly index: number;
  /** Code points after the word when completion started. */
  readonly tail: readonly string[];
}

/** One window's input line: text, cursor, history and completion state. Immutable. */
export interface EditorState {
  readonly chars: readonly string[];
  readonly cursor: number;
  readonly history: readonly string[];
  /** Index into `history` while browsing it, else null. */
  readonly histPos: number | null;
  /** The line being typed before history browsing began. */
  readonly draft: string;
  readonly completion: CompletionSession | null;
  /** Text taken by the last kill (Ctrl-W/U/K), put back by Ctrl-Y. */
  readonly killed: string;
}

/** What a completion source is told about the word under the cursor. */
export interface CompletionQuery {
  word: string;
  /** True when the word is the first one on the line. */
  first: boolean;
  line: string;
  /** The text before the word (the command and earlier arguments). */
  before?: string;
}

/** Gives completion candidates for the word under the cursor. */
export type CompletionSource = (q: CompletionQuery) => string[];

/** Every editing operation the keymap can ask for. */
export type EditAction =
  | { type: 'insert'; text: string }
  | {
      type:
        | 'left'
        | 'right'
        | 'wordLeft'
        | 'wordRight'
        | 'home'
        | 'end'
        | 'backspace'
        | 'delete'
        | 'killWordBack'
        | 'killToStart'
        | 'killToEnd'
        | 'historyUp'
        | 'historyDown'
        | 'yank'
        | 'transpose';
    }
  | { type: 'complete'; source: CompletionSource };

/** A fresh input line with no history. */
export const emptyEditor: EditorState = {
  chars: [],
  cursor: 0,
  history: [],
  histPos: null,
  draft: '',
  completion: null,
  killed: '',
};

/** The line as a string. */
export function editorText(s: EditorState): string {
  return s.chars.join('');
}

function withText(s: EditorState, text: string): EditorState {
  const chars = graphemes(text);
  return { ...s, chars, cursor: chars.length, completion: null };
}

/** Inserts `text` at the cursor, re-segmenting so a cluster that spans the cursor (an accent after a letter) joins up. */
function insertAt(s: EditorState, text: string): EditorState {
  if (text === '') return s;
  const before = s.chars.slice(0, s.cursor).join('') + text;
  const chars = graphemes(before + s.chars.slice(s.cursor).join(''));
  let cursor = 0;
  for (let len = 0; cursor < chars.length && len < before.length; cursor++) len += chars[cursor]?.length ?? 0;
  return { ...s, chars, cursor, completion: null };
}

function kill(s: EditorState, from: number, to: number): EditorState {
  if (from >= to) return { ...s, completion: null };
  return { ...s, chars: [...s.chars.slice(0, from), ...s.chars.slice(to)], cursor: from, completion: null, killed: s.chars.slice(from, to).join('') };
}

function isSpace(c: string | undefined): boolean {
  return c === ' ';
}

function wordStartBefore(chars: readonly string[], cursor: number): number {
  let i = cursor;
  while (i > 0 && isSpace(chars[i - 1])) i--;
  while (i > 0 && !isSpace(chars[i - 1])) i--;
  return i;
}

function wordEndAfter(chars: readonly string[], cursor: number): number {
  let i = cursor;
  while (i < chars.length && isSpace(chars[i])) i++;
  while (i < chars.length && !isSpace(chars[i])) i++;
  return i;
}

function complete(s: EditorState, source: CompletionSource): EditorState {
  const session = s.completion;
  if (session && session.candidates.length > 0) {
    const index = (session.index + 1) % session.candidates.length;
    const word = graphemes(session.candidates[index] ?? '');
    const chars = [...s.chars.slice(0, session.start), ...word, ...session.tail];
    return { ...s, chars, cursor: session.start + word.length, completion: { ...session, index } };
  }
  let start = s.cursor;
  while (start > 0 && !isSpace(s.chars[start - 1])) start--;
  const word = s.chars.slice(start, s.cursor).join('');
  const before = s.chars.slice(0, start).join('');
  const candidates = source({ word, first: before.trim() === '', line: editorText(s), before });
  const firstCandidate = candidates[0];
  if (firstCandidate === undefined) return s;
  const tail = s.chars.slice(s.cursor);
  const inserted = graphemes(firstCandidate);
  const chars = [...s.chars.slice(0, start), ...inserted, ...tail];
  return {
    ...s,
    chars,
    cursor: start + inserted.length,
    completion: candidates.length > 1 ? { start, candidates, index: 0, tail } : null,
  };
}

/** Applies one editing action. */
export function edit(s: EditorState, a: EditAction): EditorState {
  const { chars, cursor } = s;
  switch (a.type) {
    case 'insert':
      return insertAt(s, a.text);
    case 'yank':
      return insertAt({ ...s, completion: null }, s.killed);
    case 'transpose': {
      // As bash and irssi: swap the characters before and at the cursor (the last two at the end) and move on.
      if (chars.length < 2 || cursor === 0) return { ...s, completion: null };
      const at = Math.min(cursor, chars.length - 1);
      const next = [...chars];
      [next[at - 1], next[at]] = [chars[at] ?? '', chars[at - 1] ?? ''];
      return { ...s, chars: next, cursor: at + 1, completion: null };
    }
    case 'left':
      return { ...s, cursor: Math.max(0, cursor - 1), completion: null };
    case 'right':
      return { ...s, cursor: Math.min(chars.length, cursor + 1), completion: null };
    case 'wordLeft':
      return { ...s, cursor: wordStartBefore(chars, cursor), completion: null };
    case 'wordRight':
      return { ...s, cursor: wordEndAfter(chars, cursor), completion: null };
    case 'home':
      return { ...s, cursor: 0, completion: null };
    case 'end':
      return { ...s, cursor: chars.length, completion: null };
    case 'backspace':
      if (cursor === 0) return { ...s, completion: null };
      return { ...s, chars: [...chars.slice(0, cursor - 1), ...chars.slice(cursor)], cursor: cursor - 1, completion: null };
    case 'delete':
      if (cursor >= chars.length) return { ...s, completion: null };
      return { ...s, chars: [...chars.slice(0, cursor), ...chars.slice(cursor + 1)], completion: null };
    case 'killWordBack':
      return kill(s, wordStartBefore(chars, cursor), cursor);
    case 'killToStart':
      return kill(s, 0, cursor);
    case 'killToEnd':
      return kill(s, cursor, chars.length);
    case 'historyUp': {
      if (s.history.length === 0) return s;
      const pos = s.histPos === null ? s.history.length - 1 : Math.max(0, s.histPos - 1);
      const draft = s.histPos === null ? editorText(s) : s.draft;
      return { ...withText(s, s.history[pos] ?? ''), histPos: pos, draft };
    }
    case 'historyDown': {
      if (s.histPos === null) return s;
      const pos = s.histPos + 1;
      if (pos >= s.history.length) return { ...withText(s, s.draft), histPos: null, draft: '' };
      return { ...withText(s, s.history[pos] ?? ''), histPos: pos };
    }
    case 'complete':
      return complete(s, a.source);
  }
}

/** Takes the line for sending: records it in history (no immediate repeats, bounded) and clears the editor. */
export function submit(s: EditorState): { state: EditorState; line: string } {
  const line = editorText(s);
  let history = s.history;
  if (line.trim() !== '' && history[history.length - 1] !== line) {
    history = [...history, line].slice(-HISTORY_LIMIT);
  }
  return { state: { ...emptyEditor, history, killed: s.killed }, line };
}

/** Replaces the whole text (paste remainder, cancelled confirmations). */
export function setText(s: EditorState, text: string): EditorState {
  return { ...withText(s, text), histPos: null };
}

/**
 * A multi-line paste at the cursor: the text before the cursor joins the first
 * pasted line, and the whole lines (blank ones dropped) are returned for
 * sending; the last pasted piece stays in the editor, before what followed
 * the cursor, with the cursor after it (as irssi and a shell do). A paste of
 * one line is a plain insert.
 */
export function pasteInto(s: EditorState, parts: readonly string[]): { state: EditorState; lines: string[] } {
  if (parts.length <= 1) return { state: edit(s, { type: 'insert', text: parts[0] ?? '' }), lines: [] };
  const before = s.chars.slice(0, s.cursor).join('');
  const after = s.chars.slice(s.cursor).join('');
  const last = parts[parts.length - 1] ?? '';
  const lines = [before + (parts[0] ?? ''), ...parts.slice(1, -1)].filter((l) => l.trim() !== '');
  return { state: { ...setText(s, last + after), cursor: graphemes(last).length }, lines };
}
