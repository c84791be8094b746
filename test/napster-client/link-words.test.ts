import { describe, expect, it } from 'vitest';
import { describeLink, type LinkView } from '../../protocols/napster/client-link-words.js';

const base: LinkView = { key: 'nap.example:8888', state: 'online', nick: 'bob', stats: { users: 3, files: 1, gigabytes: 2 }, lastError: '', retryInMs: undefined };

/** `/nservers` says each session's state in words, never an internal state name. */
describe('/nservers lines', () => {
  it('each state reads as words', () => {
    expect(describeLink(base)).toBe('nap.example:8888: logged in as bob; the server has 3 users, 1 file, 2 GB');
    expect(describeLink({ ...base, state: 'connecting' })).toBe('nap.example:8888: connecting');
    expect(describeLink({ ...base, state: 'connecting', lastError: 'cannot connect: ECONNREFUSED' })).toBe('nap.example:8888: connecting (the last attempt: cannot connect: ECONNREFUSED)');
    expect(describeLink({ ...base, state: 'checking' })).toBe('nap.example:8888: logging in as bob (asking whether the nick is registered)');
    expect(describeLink({ ...base, state: 'registering' })).toBe('nap.example:8888: logging in as bob (registering the nick)');
    expect(describeLink({ ...base, state: 'logging-in' })).toBe('nap.example:8888: logging in as bob (sending the password)');
    expect(describeLink({ ...base, state: 'offline', lastError: 'connection closed', retryInMs: 4_200 })).toBe('nap.example:8888: offline (connection closed); trying again in 5 s');
    expect(describeLink({ ...base, state: 'offline', lastError: 'connection closed', retryInMs: 0 })).toBe('nap.example:8888: offline (connection closed); trying again in 1 s');
    expect(describeLink({ ...base, state: 'stopped', lastError: 'login refused: Invalid Password' })).toBe(
      'nap.example:8888: offline (login refused: Invalid Password); not trying again (/nlogin nap.example:8888 to retry)',
    );
  });

  it('no line names an internal state', () => {
    for (const state of ['online', 'connecting', 'checking', 'registering', 'logging-in', 'failed', 'offline', 'stopped'] as const) {
      expect(describeLink({ ...base, state })).not.toMatch(/logging-in|stopped|: online|: checking|: registering/);
    }
  });
});
