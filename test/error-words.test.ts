import { describe, expect, it } from 'vitest';
import { errorWords, reasonWords } from '../src/error-words.js';
import { NetError } from '../src/errors.js';

describe('error words', () => {
  it('turns errno names in event text into what the other side did', () => {
    expect(reasonWords('SOCKET: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:7403', "bob's node")).toBe("bob's node is not answering (connection refused)");
    expect(reasonWords('SOCKET: ECONNRESET: read ECONNRESET')).toBe('the other side dropped the connection (connection reset)');
    expect(reasonWords('SOCKET: ETIMEDOUT: connect ETIMEDOUT 10.0.0.1:6346', 'the node at 10.0.0.1:6346')).toBe('the node at 10.0.0.1:6346 did not answer in time (timed out)');
    expect(reasonWords('FILE: write: ENOSPC: no space left on device')).toBe('the disk is full');
  });
  it('words NetError codes, and keeps a message it has nothing better for without the code', () => {
    expect(reasonWords('HANDSHAKE_TIMEOUT: no handshake within 10000 ms', 'carol')).toBe('carol did not finish the handshake in time');
    expect(reasonWords('IDLE_TIMEOUT: idle for 60000 ms', 'x')).toBe('x was silent for too long');
    expect(reasonWords('CLOSED: closed by peer', 'x')).toBe('x closed the connection (closed by peer)');
    expect(reasonWords('CLOSED: connection closed', 'x')).toBe('x closed the connection');
    expect(reasonWords('LIMIT: inbound slots full (16)')).toBe('limit: inbound slots full (16)');
    expect(reasonWords('quit')).toBe('quit');
  });
  it('words error objects', () => {
    const sys = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(errorWords(sys, 'the node at 127.0.0.1:1')).toBe('the node at 127.0.0.1:1 is not answering (connection refused)');
    expect(errorWords(NetError.socket(sys), 'it')).toBe('it is not answering (connection refused)');
    expect(errorWords(NetError.idleTimeout(5), 'it')).toBe('it was silent for too long');
    expect(errorWords(new Error('plain'))).toBe('plain');
  });
});
