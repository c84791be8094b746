import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionManager } from '../../src/net/connection-manager.js';
import { recorder, waitUntil } from './helpers.js';

const managers: ConnectionManager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

describe('deflate tuning (small contexts for many idle compressed links)', () => {
  it('a small window, memLevel and output buffer still carry every message, read by a default inflater', async () => {
    const server = recorder('t');
    const client = recorder('t');
    const ms = new ConnectionManager({});
    const mc = new ConnectionManager({});
    managers.push(ms, mc);
    const l = await ms.group(server.opts).listen(0, { host: '127.0.0.1' });
    const out = await mc.group(client.opts).dial('127.0.0.1', l.port);
    await waitUntil(() => server.opened.length === 1);
    const inbound = server.opened[0]!;
    out.compressOut({ windowBits: 9, memLevel: 1, chunkSize: 64 });
    inbound.compressIn({}, { chunkSize: 64 });
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'abc'.repeat(i % 50)}`);
    for (const line of lines) out.send(`${line}\n`);
    await waitUntil(() => server.messages.length === lines.length);
    expect(server.messages.map((m) => m.msg)).toEqual(lines);
    expect(inbound.bytesIn).toBeLessThan(lines.join('\n').length);
  });
});
