/**
 * The core's `/peers` listing and its `/help` line, as headless mode prints them: bytes queued
 * in words (`queued 0 B`, `queued 1.5 MiB`; it said `queued 1572864`), as the TUI's /peers table
 * says them, and `/quit [reason]` as README has it.
 */
import { describe, expect, it } from 'vitest';
import { CORE_COMMANDS, helpLines, peerLines } from '../../src/node.js';

describe('/peers and the core /help lines', () => {
  it('say queued bytes in words', () => {
    const lines = peerLines([
      { protocol: 'chat', direction: 'out', address: '127.0.0.1:6350', nick: 'alice', uptimeMs: 63_000, queuedBytes: 0 },
      { protocol: 'pplus2', direction: 'in', address: '127.0.0.1:7000', uptimeMs: 5_000, queuedBytes: 1_572_864 },
    ]);
    expect(lines[0]).toMatch(/^chat\s+out\s+127\.0\.0\.1:6350\s+alice\s+up 1m03s queued 0 B$/);
    expect(lines[1]).toMatch(/^pplus2\s+in\s+127\.0\.0\.1:7000\s+-\s+up 5s queued 1\.5 MiB$/);
  });

  it('give /quit its reason, as README does', () => {
    expect(CORE_COMMANDS.find((c) => c.name === 'quit')?.args).toBe('[reason]');
  });

  it('say an unknown /help topic as an unknown command is said, in the TUI too (it read "no command /x" here, "no such command: /x" there)', () => {
    expect(() => helpLines([{ plugin: 'core', commands: CORE_COMMANDS }], 'bogus')).toThrowError('unknown command /bogus (try /help)');
  });
});
