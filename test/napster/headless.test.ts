/** The server as a service: the real program, headless, with --daemon (issue 12 item 5). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { startCli, type CliNode } from '../cli/cli-process.js';
import { NapClient } from './nap-client.js';

let cli: CliNode | undefined;
afterEach(async () => {
  await cli?.cleanup();
  cli = undefined;
});

describe('peerdeck --napster-server --headless --daemon', () => {
  it('announces ready.ports.napster, serves logins with the MOTD file and the admin account', async () => {
    cli = await startCli(['--daemon', '--no-chat', '--napster-server', '--napster-port', '0', '--napster-host', '127.0.0.1', '--napster-server-name', 'teamnap']);
    const ready = (await cli.waitEvent((e) => e.type === 'ready')) as unknown as { ports: Record<string, number> };
    const port = ready.ports.napster!;
    expect(port).toBeGreaterThan(0);
    const c = await NapClient.open(port);
    c.send(2, 'alice pw 6699 "x" 7');
    await c.waitType(214);
    expect(c.frames.map((f) => `${f.type} ${f.text}`).slice(0, 3)).toEqual(['3 anon@teamnap', '621 VERSION peerdeck 0.1.0', '621 SERVER teamnap']);
    c.close();
    cli.proc.kill('SIGTERM');
    expect(await cli.exited()).toBe(0);
  });

  it('reads the MOTD and admin files, and refuses unregistered nicks with --registered-only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'napster-files-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const motd = join(dir, 'motd.txt');
    const admin = join(dir, 'admin.txt');
    await writeFile(motd, 'Hello team\n');
    await writeFile(admin, 'boss s3cret\n');
    cli = await startCli(['--daemon', '--no-chat', '--napster-server', '--napster-port', '0', '--napster-host', '127.0.0.1', '--napster-motd', motd, '--napster-admin-file', admin, '--registered-only']);
    const ready = (await cli.waitEvent((e) => e.type === 'ready')) as unknown as { ports: Record<string, number> };
    const port = ready.ports.napster!;
    const stranger = await NapClient.open(port);
    stranger.send(2, 'stranger pw 0 "x" 1');
    expect((await stranger.waitType(0)).text).toBe('this is a restricted server');
    const boss = await NapClient.open(port);
    boss.send(2, 'boss s3cret 0 "x" 1');
    await boss.waitType(214);
    expect(boss.frames.filter((f) => f.type === 621).at(-1)!.text).toBe('Hello team');
    expect((await boss.ask(603, 'boss', 604)).at(-1)!.text).toMatch(/^boss "Elite"/);
    boss.close();
  });

  it('refuses a napster flag without --napster-server', async () => {
    cli = await startCli(['--napster-port', '9999']);
    expect(await cli.exited()).toBe(2);
    expect(cli.stderr()).toContain('--napster-port needs --napster-server');
  });
});
