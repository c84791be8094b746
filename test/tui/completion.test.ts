import { describe, expect, it } from 'vitest';
import { completionCandidates } from '../../tui/completion.js';

const data = { commands: ['connect', 'clear', 'help', 'connect'], nicks: ['Bobby', 'bob', 'carol'], resultNumbers: [3, 12, 13, 1] };

describe('completionCandidates', () => {
  it('completes command names after a leading slash', () => {
    expect(completionCandidates({ word: '/c', first: true, line: '/c' }, data)).toEqual(['/clear ', '/connect ']);
  });
  it('completes nicks case-insensitively, most recent first, with ": " at the start of a line', () => {
    expect(completionCandidates({ word: 'bo', first: true, line: 'bo' }, data)).toEqual(['Bobby: ', 'bob: ']);
    expect(completionCandidates({ word: 'ca', first: false, line: 'hi ca' }, data)).toEqual(['carol ']);
    expect(completionCandidates({ word: '', first: false, line: 'hi ' }, data)).toEqual([]);
  });
  it('completes a result number as the one argument of /get, and nothing after it', () => {
    expect(completionCandidates({ word: '1', first: false, line: '/get 1', before: '/get ' }, data)).toEqual(['1 ', '12 ', '13 ']);
    expect(completionCandidates({ word: '', first: false, line: '/get ', before: '/get ' }, data)).toEqual(['1 ', '3 ', '12 ', '13 ']);
    // The second argument is `again` (fetch a file that is here already), and nothing else.
    expect(completionCandidates({ word: '', first: false, line: '/get 12 ', before: '/get 12 ' }, data)).toEqual(['again ']);
    expect(completionCandidates({ word: 'ag', first: false, line: '/get 12 ag', before: '/get 12 ' }, data)).toEqual(['again ']);
    expect(completionCandidates({ word: '1', first: false, line: '/get 12 1', before: '/get 12 ' }, data)).toEqual([]);
    expect(completionCandidates({ word: '', first: false, line: '/get 12 again ', before: '/get 12 again ' }, data)).toEqual([]);
  });
  it('completes command names after /help', () => {
    expect(completionCandidates({ word: 'c', first: false, line: '/help c', before: '/help ' }, data)).toEqual(['clear ', 'connect ']);
    expect(completionCandidates({ word: '/he', first: false, line: '/help /he', before: '/help ' }, data)).toEqual(['help ']);
  });
});
