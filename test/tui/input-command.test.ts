import { describe, expect, it } from 'vitest';
import { parseInput, splitArgs, type InputContext } from '../../tui/input-command.js';

const owners: Record<string, string[]> = { say: ['chat'], me: ['chat'], connect: ['chat', 'gnutella'], get: ['gnutella'], names: ['napster'] };
const ctx = (plugin: string | undefined, canSay = true): InputContext => ({
  plugin,
  canSay,
  resolve: (c, p) => {
    const o = owners[c] ?? [];
    return p && o.includes(p) ? p : o[0];
  },
});

describe('parseInput', () => {
  it('sends plain text to the window protocol as say', () => {
    expect(parseInput('hello there', ctx('chat'))).toEqual({ kind: 'say', plugin: 'chat', text: 'hello there' });
  });
  it('//text sends the literal /text', () => {
    expect(parseInput('//etc/passwd is a file', ctx('chat'))).toEqual({ kind: 'say', plugin: 'chat', text: '/etc/passwd is a file' });
  });
  it('routes a command to its owner, preferring the active window', () => {
    expect(parseInput('/connect 127.0.0.1:1', ctx('gnutella'))).toEqual({ kind: 'run', plugin: 'gnutella', name: 'connect', args: ['127.0.0.1:1'] });
    expect(parseInput('/connect 127.0.0.1:1', ctx('chat'))).toEqual({ kind: 'run', plugin: 'chat', name: 'connect', args: ['127.0.0.1:1'] });
    expect(parseInput('/GET 3', ctx('chat'))).toEqual({ kind: 'run', plugin: 'gnutella', name: 'get', args: ['3'] });
  });
  it('/names is who is here (the TUI answers it); /names #chan is the protocol\'s own, as in headless mode', () => {
    expect(parseInput('/names', ctx('chat'))).toEqual({ kind: 'local', name: 'names', args: [] });
    expect(parseInput('/names #team', ctx('napster'))).toEqual({ kind: 'run', plugin: 'napster', name: 'names', args: ['#team'] });
  });
  it('answers unknown and empty commands with an error, never as chat', () => {
    expect(parseInput('/nope x', ctx('chat'))).toEqual({ kind: 'error', message: 'unknown command /nope (try /help)' });
    expect(parseInput('/', ctx('chat')).kind).toBe('error');
  });
  it('keeps the TUI commands local', () => {
    expect(parseInput('/win 3', ctx('chat'))).toEqual({ kind: 'local', name: 'win', args: ['3'] });
    expect(parseInput('/help connect', ctx(undefined))).toEqual({ kind: 'local', name: 'help', args: ['connect'] });
    expect(parseInput('/quit', ctx('chat'))).toEqual({ kind: 'local', name: 'quit', args: [] });
  });
  it('refuses plain text where nothing can take it', () => {
    expect(parseInput('hi', ctx(undefined)).kind).toBe('error');
    expect(parseInput('hi', ctx('gnutella', false)).kind).toBe('error');
    expect(parseInput('   ', ctx('chat'))).toEqual({ kind: 'none' });
  });
});

describe('splitArgs', () => {
  it('splits on blanks and groups double quotes', () => {
    expect(splitArgs('a  b "c d" "e')).toEqual(['a', 'b', 'c d', 'e']);
    expect(splitArgs('')).toEqual([]);
  });
});
