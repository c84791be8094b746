/**
 * People Near Me invitations do what they name (issue 14): real nodes on 127.0.0.1 running
 * chat (discovery on loopback only), P+2, Gnutella and Napster. A invites B to each; B's
 * `/accept N` runs the owning plugin's command through the core: a P+2 share is searched
 * and downloaded from, a Gnutella servent dialled, a Napster index logged in to.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatPlugin } from '../../protocols/chat/index.js';
import { createGnutellaPlugin } from '../../protocols/gnutella/index.js';
import { createNapsterPlugin } from '../../protocols/napster/index.js';
import { DEFAULT_SERVER_OPTIONS } from '../../protocols/napster/options.js';
import { FILES_PLUGIN } from '../../src/search/files-plugin.js';
import { TEST_HASH_COST } from '../napster/server-fixture.js';
import { TEST_TIMEOUTS } from '../napster-client/client-net.js';
import { startP2Node, type P2Node } from '../pplus2/pplus2-net.js';
import { portOf } from '../testnet.js';
import { chatOpts, waitUntil } from './chat-net.js';

const GNUTELLA = { port: 0, host: '127.0.0.1', peers: [], links: 3, bootstrap: [], deflate: true, searchMs: 4_000, maintainMs: 500 };
const sha = (b: Buffer): string => createHash('sha1').update(b).digest('hex');
const notices = (t: P2Node): string[] => t.events.flatMap((e) => (e.type === 'notice' || e.type === 'near.person' || e.type === 'near.invitation' ? [e.text] : []));

describe('chat: accepting an invitation does what it names', () => {
  let a: P2Node;
  let b: P2Node;
  const data = randomBytes(300_000);

  beforeAll(async () => {
    const discovery = { port: 40_000 + Math.floor(Math.random() * 20_000), interface: '127.0.0.1', intervalMs: 200 };
    const mesh = `ni${Math.random().toString(36).slice(2, 10)}`;
    const chat = (): ReturnType<typeof createChatPlugin> => createChatPlugin(chatOpts({ discovery, mesh, targetDegree: 0 }));
    a = await startP2Node(0, { 'invited holiday film.bin': data }, {
      extra: [
        chat(),
        createGnutellaPlugin({ ...GNUTELLA, mode: 'ultrapeer' }),
        createNapsterPlugin({ server: { ...DEFAULT_SERVER_OPTIONS, port: 0, host: '127.0.0.1', name: 'localhost', hashCost: TEST_HASH_COST } }),
      ],
    });
    b = await startP2Node(1, {}, {
      extra: [chat(), createGnutellaPlugin({ ...GNUTELLA, mode: 'leaf' }), createNapsterPlugin({ client: { servers: [], nick: 'bee', password: 'beepw', timeouts: TEST_TIMEOUTS } })],
    });
    const aNick = a.node.snapshot().nick;
    await waitUntil(() => notices(b).some((t) => t.startsWith(`near: ${aNick} `)), 10_000, 'b sees a');
    await waitUntil(() => notices(a).some((t) => t.startsWith(`near: ${b.node.snapshot().nick} `)), 10_000, 'a sees b');
  }, 60_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  /** A invites B to `kind`; B sees invitation N and accepts it. */
  async function inviteAndAccept(kind: string, n: number): Promise<string[]> {
    const out = await a.node.run('chat', 'invite', [`${b.node.snapshot().nick} ${kind} have a look`]);
    expect(out[0]).toMatch(new RegExp(`^invited \\S+ to ${kind} at 127\\.0\\.0\\.1:\\d+$`));
    await waitUntil(() => notices(b).some((t) => t.startsWith(`invitation ${n}:`)), 5_000, `b invited (${kind})`);
    return b.node.run('chat', 'accept', [String(n)]);
  }

  it('a P+2 share: the peer is added, /search finds its file and /get N downloads it, verified', async () => {
    const p = portOf(a, 'pplus2');
    const out = await inviteAndAccept('pplus2', 1);
    expect(out).toEqual([`accepted invitation 1: pplus2 at 127.0.0.1:${p}`, `added 127.0.0.1:${p}`, expect.stringContaining('/get N')]);
    expect(await b.node.run('pplus2', 'known', [])).toContain(`127.0.0.1:${p}`);
    await b.node.run(FILES_PLUGIN, 'search', ['holiday']);
    await b.waitFor((ev) => ev.some((e) => e.type === 'search.hit' && e.protocol === 'pplus2'), 10_000);
    const hit = b.of('search.hit').find((e) => e.protocol === 'pplus2')!;
    expect(hit.name).toBe('invited holiday film.bin');
    await b.node.run(FILES_PLUGIN, 'get', [String(hit.n)]);
    await b.waitFor((ev) => ev.some((e) => e.type === 'transfer.done' && e.direction === 'down'), 20_000);
    expect(sha(await readFile(join(b.downloads, 'invited holiday film.bin')))).toBe(sha(data));
    await waitUntil(() => notices(a).includes(`${b.node.snapshot().nick} accepted your invitation`), 5_000, 'a told');
  }, 40_000);

  it('a Gnutella servent: dialled', async () => {
    const out = await inviteAndAccept('gnutella', 2);
    expect(out[0]).toBe(`accepted invitation 2: gnutella at 127.0.0.1:${portOf(a, 'gnutella')}`);
    await waitUntil(() => b.node.peers().some((x) => x.protocol === 'gnutella') && a.node.peers().some((x) => x.protocol === 'gnutella'), 10_000, 'gnutella link');
  }, 30_000);

  it('a Napster index: logged in to', async () => {
    const out = await inviteAndAccept('napster', 3);
    expect(out[0]).toBe(`accepted invitation 3: napster at 127.0.0.1:${portOf(a, 'napster')}`);
    await waitUntil(() => b.of('peer.up').some((e) => e.protocol === 'napster'), 10_000, 'napster login');
    await waitUntil(() => a.node.snapshot().status.napster?.peers === 1, 5_000, 'server sees the user');
  }, 30_000);

  it('an invitation to something this node does not serve is refused before it is sent', async () => {
    // b runs a Napster client but no server: it has no index to invite to.
    await expect(b.node.run('chat', 'invite', [`${a.node.snapshot().nick} napster`])).rejects.toThrow(/runs no napster/);
  });
});
