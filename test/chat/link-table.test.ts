/**
 * The chat node's link table (protocols/chat/link-table.ts): every index stays in step as
 * links open and close, the addresses it remembers are capped, and it answers what the mesh
 * upkeep asks. Links over real connections on 127.0.0.1.
 */
import { describe, expect, it } from 'vitest';
import type { ChatFrame } from '../../protocols/chat/frame-decoder.js';
import { ChatFrameDecoder } from '../../protocols/chat/frame-decoder.js';
import { Link } from '../../protocols/chat/link.js';
import { LinkTable, MAX_NODE_AT } from '../../protocols/chat/link-table.js';
import type { Connection } from '../../src/net/connection.js';
import { managersClosedAfterEach, recorder } from '../net/helpers.js';

const manager = managersClosedAfterEach();

/** `n` real dialled connections to a listener on 127.0.0.1, each wrapped in a Link. */
async function links(n: number): Promise<Link[]> {
  const rec = recorder<ChatFrame>('chat', () => new ChatFrameDecoder(1024));
  const m = manager();
  const server = m.group(rec.opts);
  const l = await server.listen(0, { host: '127.0.0.1' });
  const dialler = m.group(recorder<ChatFrame>('chat-out', () => new ChatFrameDecoder(1024)).opts);
  const conns: Connection<ChatFrame>[] = [];
  for (let i = 0; i < n; i++) conns.push(await dialler.dial('127.0.0.1', l.port));
  return conns.map((c) => new Link(c, 0));
}

/** Makes `l` a ready neighbour: node `node`, listening on `listen`. */
function ready(l: Link, node: string, listen?: string): Link {
  l.state = 'ready';
  l.hello = { type: 'HELLO', node, nick: `n${node}`, listen: null, mesh: 'default' };
  l.listenAddr = listen;
  return l;
}

describe('LinkTable', () => {
  it('keeps its connection map, its array and its node index in step as links open and close', async () => {
    const [a, b, c] = await links(3);
    const t = new LinkTable();
    for (const l of [a!, b!, c!]) t.add(l);
    t.byNode.set('A', ready(a!, 'A'));
    t.byNode.set('B', ready(b!, 'B'));
    const before = t.list;
    expect(before).toEqual([a, b, c]);
    expect(t.remove(b!.conn)).toBe(b);
    expect(before).toEqual([a, b, c]); // replaced, never changed: a walk in progress is undisturbed
    expect(t.list).toEqual([a, c]);
    expect([...t.byConn.values()]).toEqual([a, c]);
    expect([...t.byNode.keys()]).toEqual(['A']);
    expect(t.remove(b!.conn)).toBeUndefined();
  });

  it('keeps the node index of a node whose other link stays (a duplicate closing)', async () => {
    const [kept, dup] = await links(2);
    const t = new LinkTable();
    t.add(kept!);
    t.add(dup!);
    t.byNode.set('A', ready(kept!, 'A'));
    ready(dup!, 'A');
    expect(t.remove(dup!.conn)).toBe(dup);
    expect(t.byNode.get('A')).toBe(kept);
  });

  it('remembers the node at the newest 256 dialled addresses, no more', async () => {
    const [a] = await links(1);
    const t = new LinkTable();
    t.add(a!);
    t.byNode.set('A', ready(a!, 'A'));
    for (let i = 0; i <= MAX_NODE_AT; i++) t.found(`10.0.0.1:${1000 + i}`, 'A');
    expect(t.isLinked('10.0.0.1:1000')).toBe(false); // the oldest was forgotten
    expect(t.isLinked('10.0.0.1:1001')).toBe(true);
    expect(t.isLinked(`10.0.0.1:${1000 + MAX_NODE_AT}`)).toBe(true);
    t.remove(a!.conn);
    expect(t.isLinked('10.0.0.1:1001')).toBe(false); // that node is gone
  });

  it('answers what the mesh upkeep asks: addresses in use, where neighbours listen, who chats, who is extended', async () => {
    const [a, b, c] = await links(3);
    const t = new LinkTable();
    for (const l of [a!, b!, c!]) t.add(l);
    t.byNode.set('A', ready(a!, 'A', '10.0.0.2:6350'));
    t.byNode.set('B', ready(b!, 'B', '10.0.0.3:6350'));
    c!.state = 'plain';
    c!.dialAddr = '10.0.0.4:6350';
    t.selfAddrs.add('10.0.0.9:6350');
    expect([...t.inUse()].sort()).toEqual(['10.0.0.2:6350', '10.0.0.3:6350', '10.0.0.4:6350', '10.0.0.9:6350']);
    expect(t.isLinked('10.0.0.4:6350')).toBe(true);
    expect(t.isLinked('10.0.0.9:6350')).toBe(false);
    expect(t.listenAddrs()).toEqual(['10.0.0.2:6350', '10.0.0.3:6350']);
    expect(t.neighbourNicks()).toEqual(['nA', 'nB']);
    expect(t.chatting()).toBe(3);
    expect([...t.ready((l) => l === b)]).toEqual([b]);
  });
});
