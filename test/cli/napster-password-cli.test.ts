import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type CliNode } from './cli-process.js';

const nodes: CliNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.cleanup()));
});

/** Headless mode cannot ask for a hidden line: without --napster-password-file it says how to give the password, and does not log in. */
describe('the Napster password in headless mode (issue 13)', () => {
  it('a prompt.secret event with the hint, then a clear notice; no session is dialled', async () => {
    const n = await startCli(['--no-chat', '--napster', '127.0.0.1:9', '--napster-nick', 'headnap']);
    nodes.push(n);
    const ask = await n.waitEvent((e) => e.type === 'prompt.secret');
    expect(ask).toMatchObject({ plugin: 'napster', command: 'npassword', prompt: 'Napster password for headnap' });
    expect(String(ask.hint)).toContain('--napster-password-file FILE');
    await n.waitEvent((e) => e.type === 'notice' && /no Napster password given: not logging in .*--napster-password-file FILE/.test(String(e.text)));
    n.send('/nservers');
    await n.waitEvent((e) => e.type === 'notice' && e.text === 'no Napster servers (/nlogin host:port)');
  });

  it('without --json the line says what to do', async () => {
    const n = await startCli(['--no-chat', '--napster', '127.0.0.1:9', '--napster-nick', 'headnap'], { json: false });
    nodes.push(n);
    await expect.poll(() => n.lines.join('\n'), { timeout: 20_000 }).toContain(
      'napster: Napster password for headnap: headless mode cannot ask; start with --napster-password-file FILE (its first line is the password)',
    );
  });
});
