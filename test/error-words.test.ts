import { describe, expect, it } from 'vitest';
import { errorMessageWords, errorWords, reasonWords } from '../src/error-words.js';
import { NetError } from '../src/errors.js';

describe('error words', () => {
  it('turns errno names in event text into what the other side did', () => {
    expect(reasonWords('SOCKET: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:7403', "bob's node")).toBe("bob's node is not answering (connection refused)");
    expect(reasonWords('SOCKET: ECONNRESET: read ECONNRESET')).toBe('the other side dropped the connection (connection reset)');
    expect(reasonWords('SOCKET: ETIMEDOUT: connect ETIMEDOUT 10.0.0.1:6346', 'the node at 10.0.0.1:6346')).toBe('the node at 10.0.0.1:6346 did not answer in time (timed out)');
    expect(reasonWords('FILE: write: ENOSPC: no space left on device')).toBe('the disk is full');
  });
  it("names the address of a command's own socket failure, which only Node's text carries", () => {
    expect(errorMessageWords('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1')).toBe('the node at 127.0.0.1:1 is not answering (connection refused)');
    expect(errorMessageWords('SOCKET: ECONNREFUSED: connect ECONNREFUSED [::1]:7403', (a) => `bob's node (${a})`)).toBe("bob's node ([::1]:7403) is not answering (connection refused)");
    expect(errorMessageWords('ENOTFOUND: getaddrinfo ENOTFOUND nowhere.invalid')).toBe('the node at nowhere.invalid has a name that could not be found (DNS lookup failed)');
    // Nothing named: said as before.
    expect(errorMessageWords('SOCKET: ECONNRESET: read ECONNRESET')).toBe('the other side dropped the connection (connection reset)');
  });
  it('words NetError codes, and keeps a message it has nothing better for without the code', () => {
    expect(reasonWords('HANDSHAKE_TIMEOUT: no handshake within 10000 ms', 'carol')).toBe('carol did not finish the handshake in time');
    expect(reasonWords('IDLE_TIMEOUT: idle for 60000 ms', 'x')).toBe('x was silent for too long');
    expect(reasonWords('CLOSED: connection closed', 'x')).toBe('x closed the connection');
    expect(reasonWords('LIMIT: inbound slots full (16)')).toBe('limit: inbound slots full (16)');
    expect(reasonWords('quit')).toBe('quit');
    // A message that says it all is not prefixed with its code (it read `incomplete: the source stopped ...`).
    expect(reasonWords('INCOMPLETE: the source stopped after 1.2 MiB of 4.0 MiB (part kept for /retry)')).toBe('the source stopped after 1.2 MiB of 4.0 MiB (part kept for /retry)');
  });
  it('says once that the peer closed the connection, and never blames the peer for our own reasons', () => {
    // Each of these read "x closed the connection (peer closed ...)" or similar.
    expect(reasonWords('CLOSED: peer closed the connection', 'x')).toBe('x closed the connection');
    expect(reasonWords('CLOSED: closed by peer', 'x')).toBe('x closed the connection');
    expect(reasonWords('CLOSED: peer closed the link: gone fishing', 'x')).toBe('x closed the connection (gone fishing)');
    expect(reasonWords('CLOSED: the peer closed the connection before the end of the file', 'x')).toBe('x closed the connection before the end of the file');
    expect(reasonWords('CLOSED: peer said Bye 200 see you', 'x')).toBe('x closed the connection (said Bye 200 see you)');
    expect(reasonWords('CLOSED: data connection closed', 'x')).toBe('x closed the connection');
    expect(reasonWords('CLOSED: the pushed connection was closed', 'x')).toBe('x closed the connection');
    // Ours, not the peer's: they read "x closed the connection (shutting down)".
    expect(reasonWords('CLOSED: shutting down', 'x')).toBe('shutting down');
    expect(reasonWords('CLOSED: cancelled', 'x')).toBe('cancelled');
    expect(reasonWords('CLOSED: not logged in to 10.0.0.1:8888', 'x')).toBe('not logged in to 10.0.0.1:8888');
  });

  it('says what timed out, without the milliseconds', () => {
    expect(reasonWords('TIMEOUT: download stalled: no answer within 30000 ms', 'the peer')).toBe('the peer did not answer in time (download stalled)');
    expect(reasonWords('TIMEOUT: bob never connected to push the file: no answer within 30000 ms', 'the peer')).toBe(
      'the peer did not answer in time (bob never connected to push the file)',
    );
    // A connect says no more than the subject does.
    expect(reasonWords('TIMEOUT: connect to 10.0.0.1:6346: no answer within 5000 ms', 'the node at 10.0.0.1:6346')).toBe('the node at 10.0.0.1:6346 did not answer in time');
    expect(reasonWords('TIMEOUT: something else', 'x')).toBe('x did not answer in time');
  });

  it('never says the same words twice in one reason', () => {
    const samples = [
      'CLOSED: peer closed the connection',
      'CLOSED: closed by peer',
      'CLOSED: peer closed the link: quit',
      'CLOSED: the peer closed the connection before the end of the file',
      'CLOSED: connection closed',
      'CLOSED: closed',
      'SOCKET: ECONNRESET: read ECONNRESET',
      'SOCKET: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1',
      'IDLE_TIMEOUT: idle for 60000 ms',
      'HANDSHAKE_TIMEOUT: no handshake within 10000 ms',
      'SLOW_CONSUMER: peer does not read: 100 bytes queued',
    ];
    for (const r of samples) {
      // No two words in a row said twice (`closed the connection (peer closed the connection)`).
      const words = reasonWords(r, 'the peer').split(/\W+/).filter((w) => w !== '');
      const pairs = words.slice(1).map((w, i) => `${words[i]!} ${w}`);
      const twice = pairs.filter((p, i) => pairs.indexOf(p) !== i);
      expect([r, twice]).toEqual([r, []]);
    }
  });

  it('words error objects', () => {
    const sys = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(errorWords(sys, 'the node at 127.0.0.1:1')).toBe('the node at 127.0.0.1:1 is not answering (connection refused)');
    expect(errorWords(NetError.socket(sys), 'it')).toBe('it is not answering (connection refused)');
    expect(errorWords(NetError.idleTimeout(5), 'it')).toBe('it was silent for too long');
    expect(errorWords(new Error('plain'))).toBe('plain');
  });
});
