import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerFixture } from '../napster/server-fixture.js';
import { startNapNode, TEST_TIMEOUTS, type NapNode } from './client-net.js';

/**
 * A user who refuses direct browses (`--napster-no-direct-browse`) answers the
 * 640 at once with a 642 the server relays, so the requester is told at once
 * instead of waiting out its browse timeout (it used to wait 15 s).
 */
describe('a refused direct browse', () => {
  let server: ServerFixture;
  let shy: NapNode;
  let shyFw: NapNode;
  let bob: NapNode;
  // Long enough that a test passing by the timeout would show (and fail the time bound below).
  const timeouts = { ...TEST_TIMEOUTS, queryMs: 20_000 };

  beforeAll(async () => {
    server = await startServer();
    shy = await startNapNode('shy', { 'Shy Song.mp3': Buffer.from('la la') }, { dataPort: 0, dataHost: '127.0.0.1', directBrowse: false, timeouts });
    shyFw = await startNapNode('shyfw', { 'Hidden Song.mp3': Buffer.from('hm') }, { directBrowse: false, timeouts });
    bob = await startNapNode('bob', {}, { dataPort: 0, dataHost: '127.0.0.1', timeouts });
    for (const n of [shy, shyFw, bob]) await n.run('nlogin', `127.0.0.1:${server.port}`);
    for (const n of [shy, shyFw, bob]) await n.waitFor((ev) => ev.some((e) => e.type === 'peer.up' && e.protocol === 'napster'));
  }, 60_000);

  afterAll(async () => {
    for (const n of [shy, shyFw, bob]) await n?.stop();
    await server?.stop();
  });

  for (const who of ['shy', 'shyfw']) {
    it(`${who}: the requester is told at once, in the browsee's words`, async () => {
      const started = Date.now();
      await bob.run('ndbrowse', who);
      await bob.waitFor((ev) => ev.some((e) => e.type === 'search.started' && e.query === `browse ${who}`));
      const id = bob.of('search.started').find((e) => e.query === `browse ${who}`)!.search;
      await bob.waitFor((ev) => ev.some((e) => e.type === 'search.done' && e.search === id), 25_000);
      const done = bob.of('search.done').find((e) => e.search === id)!;
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(done.hits).toBe(0);
      expect(bob.of('error').map((e) => e.message)).toContain(`search ${id} failed: ${who} does not allow direct browsing`);
      const browsee = who === 'shy' ? shy : shyFw;
      await browsee.waitFor((ev) => ev.some((e) => e.type === 'notice' && e.text === 'bob asked to browse your files directly; refused (--napster-no-direct-browse)'));
    }, 30_000);
  }
});
