import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HISTORY_LIMIT, edit, editorText, emptyEditor, pasteInto, setText, submit, type EditAction, type EditorState } from '../../tui/line-editor.js';

function run(s: EditorState, ...actions: EditAction[]): EditorState {
  return actions.reduce(edit, s);
}
const type = (text: string): EditAction => ({ type: 'insert', text });

describe('line editor', () => {
  it('moves and deletes by grapheme cluster: a flag, a ZWJ emoji, a letter with its accent', () => {
    let s = run(emptyEditor, type('x🇯🇵👩‍💻e\u0301'));
    expect(s.cursor).toBe(4);
    s = run(s, { type: 'left' }, { type: 'left' });
    expect(editorText(run(s, { type: 'backspace' }))).toBe('x👩‍💻e\u0301');
    expect(editorText(run(s, { type: 'delete' }))).toBe('x🇯🇵e\u0301');
    // A regional indicator typed after another one joins it into a flag.
    const flag = run(emptyEditor, type('\u{1F1EF}'), type('\u{1F1F5}'));
    expect(flag.chars).toEqual(['🇯🇵']);
    expect(flag.cursor).toBe(1);
  });

  it('Ctrl-Y yanks what the last kill took; Ctrl-T transposes as bash does', () => {
    let s = run(emptyEditor, type('hello big world'), { type: 'killWordBack' });
    expect(editorText(s)).toBe('hello big ');
    s = run(s, { type: 'home' }, { type: 'yank' });
    expect(editorText(s)).toBe('worldhello big ');
    expect(s.cursor).toBe(5);
    // The kill buffer survives sending a line.
    s = run(submit(s).state, { type: 'yank' });
    expect(editorText(s)).toBe('world');
    expect(editorText(run(emptyEditor, type('ab'), { type: 'transpose' }))).toBe('ba');
    const mid = run(emptyEditor, type('abcd'), { type: 'left' }, { type: 'left' }, { type: 'transpose' });
    expect(editorText(mid)).toBe('acbd');
    expect(mid.cursor).toBe(3);
    expect(editorText(run(emptyEditor, type('a🇯🇵'), { type: 'transpose' }))).toBe('🇯🇵a');
    expect(editorText(run(emptyEditor, type('a'), { type: 'transpose' }))).toBe('a');
  });

  it('inserts at the cursor and moves by code points (never inside a surrogate pair)', () => {
    const s = run(emptyEditor, type('a😀c'), { type: 'left' }, type('b'));
    expect(editorText(s)).toBe('a😀bc');
    expect(s.cursor).toBe(3);
  });

  it('Ctrl-W deletes the word before the cursor, Ctrl-U to the start, Ctrl-K to the end', () => {
    let s = run(emptyEditor, type('one two  three'));
    s = edit(s, { type: 'killWordBack' });
    expect(editorText(s)).toBe('one two  ');
    s = edit(s, { type: 'killWordBack' });
    expect(editorText(s)).toBe('one ');
    s = run(setText(s, 'hello world'), { type: 'home' }, { type: 'wordRight' });
    expect(s.cursor).toBe(5);
    expect(editorText(edit(s, { type: 'killToEnd' }))).toBe('hello');
    expect(editorText(edit(s, { type: 'killToStart' }))).toBe(' world');
    expect(edit(s, { type: 'killToStart' }).cursor).toBe(0);
  });

  it('Backspace at the start and Delete at the end change nothing', () => {
    const s = run(emptyEditor, type('ab'), { type: 'home' }, { type: 'backspace' });
    expect(editorText(s)).toBe('ab');
    expect(editorText(run(s, { type: 'end' }, { type: 'delete' }))).toBe('ab');
    expect(editorText(run(s, { type: 'delete' }))).toBe('b');
  });

  it('history: Up/Down browse, the draft comes back, repeats are stored once, bounded', () => {
    let s = emptyEditor;
    for (const l of ['a', 'b', 'b', 'c']) s = submit(run(s, type(l))).state;
    expect(s.history).toEqual(['a', 'b', 'c']);
    s = run(s, type('draft'), { type: 'historyUp' });
    expect(editorText(s)).toBe('c');
    s = run(s, { type: 'historyUp' }, { type: 'historyUp' }, { type: 'historyUp' });
    expect(editorText(s)).toBe('a');
    s = run(s, { type: 'historyDown' }, { type: 'historyDown' }, { type: 'historyDown' });
    expect(editorText(s)).toBe('draft');
    expect(s.histPos).toBeNull();
    for (let i = 0; i < HISTORY_LIMIT + 10; i++) s = submit(run(s, type(`l${i}`))).state;
    expect(s.history).toHaveLength(HISTORY_LIMIT);
  });

  it('Tab completes the word under the cursor and cycles on repeat; any edit ends the cycle', () => {
    const source = ({ word }: { word: string }): string[] => ['bob: ', 'bobby: '].filter((c) => c.startsWith(word));
    let s = run(emptyEditor, type('bo'), { type: 'complete', source });
    expect(editorText(s)).toBe('bob: ');
    s = edit(s, { type: 'complete', source });
    expect(editorText(s)).toBe('bobby: ');
    s = edit(s, { type: 'complete', source });
    expect(editorText(s)).toBe('bob: ');
    s = run(s, type('hi'));
    expect(s.completion).toBeNull();
    expect(editorText(run(emptyEditor, type('zz'), { type: 'complete', source }))).toBe('zz');
  });

  it('keeps text after the cursor while completing mid-line', () => {
    const source = (): string[] => ['carol '];
    const s = run(emptyEditor, type('hi ca there'), { type: 'left' }, { type: 'left' }, { type: 'left' }, { type: 'left' }, { type: 'left' }, { type: 'left' }, { type: 'complete', source });
    expect(editorText(s)).toBe('hi carol  there');
  });

  it('the cursor always stays within the text', () => {
    const action = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 5 }).map(type),
      fc.constantFrom<EditAction>(
        { type: 'left' }, { type: 'right' }, { type: 'home' }, { type: 'end' }, { type: 'backspace' }, { type: 'delete' },
        { type: 'killWordBack' }, { type: 'killToStart' }, { type: 'killToEnd' }, { type: 'historyUp' }, { type: 'historyDown' },
        { type: 'wordLeft' }, { type: 'wordRight' },
      ),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 40 }), (actions) => {
        const s = run({ ...emptyEditor, history: ['x', 'yy'] }, ...actions);
        expect(s.cursor).toBeGreaterThanOrEqual(0);
        expect(s.cursor).toBeLessThanOrEqual(s.chars.length);
      }),
    );
  });

  it('a multi-line paste at the cursor sends the whole lines and keeps the last piece before what followed the cursor', () => {
    const s = run(emptyEditor, type('say X'), { type: 'left' });
    const { state, lines } = pasteInto(s, ['one', '', '  ', 'two', 'th🇯🇵']);
    expect(lines).toEqual(['say one', 'two']);
    expect(editorText(state)).toBe('th🇯🇵X');
    expect(state.cursor).toBe(3);
    expect(state.histPos).toBeNull();
    // One piece is a plain insert at the cursor, nothing sent.
    const one = pasteInto(s, ['ab']);
    expect(one.lines).toEqual([]);
    expect(editorText(one.state)).toBe('say abX');
  });

  it('a paste loses no text: the lines sent and the editor hold every pasted piece and the old text', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string({ minLength: 1 }).filter((p) => !/[\r\n]/.test(p) && p.trim() !== ''), { minLength: 2, maxLength: 6 }), fc.nat(), (old, parts, at) => {
        const start = run(emptyEditor, type(old));
        const s = run(start, ...Array.from({ length: at % (start.chars.length + 1) }, () => ({ type: 'left' }) as EditAction));
        const { state, lines } = pasteInto(s, parts);
        const before = s.chars.slice(0, s.cursor).join('');
        const after = s.chars.slice(s.cursor).join('');
        expect(lines).toEqual([before + parts[0]!, ...parts.slice(1, -1)]);
        expect(editorText(state)).toBe(parts[parts.length - 1]! + after);
      }),
    );
  });
});
