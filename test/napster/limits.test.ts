/** Connection caps (specs/napster.md §3.2 rule 8): a full server says so, then closes; its users keep service. */
import { afterEach, describe, expect, it } from 'vitest';
import { NapClient } from './nap-client.js';
import { startServer, type ServerFixture } from './server-fixture.js';

let server: ServerFixture | undefined;
const clients: NapClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.stop();
  server = undefined;
});

describe('napster connection caps', () => {
  it('answers the connection past --napster-max-connections with "This server is full"', async () => {
    server = await startServer({ maxConnections: 3 });
    for (const nick of ['a', 'b', 'c']) clients.push(await NapClient.login(server.port, nick));
    const late = await NapClient.open(server.port);
    clients.push(late);
    expect((await late.waitType(0)).text).toBe('This server is full (3 connections)');
    await late.waitClosed();
    expect((await clients[0]!.ask(214, '', 214)).at(-1)!.text).toBe('3 0 0');
  });

  it('sends 214 to everyone logged in at each stats interval', async () => {
    server = await startServer({ statsIntervalMs: 200 });
    const u = await NapClient.login(server.port, 'ticker');
    clients.push(u);
    expect((await u.waitType(214)).text).toBe('1 0 0');
  });
});
