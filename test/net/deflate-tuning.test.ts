import { describe, expect, it } from 'vitest';
import { managersClosedAfterEach, recorder, waitUntil } from './helpers.js';

const manager = managersClosedAfterEach();

describe('deflate tuning (small contexts for many idle compressed links)', () => {
  it('a small window, memLevel and output buffer still carry every message, read by a default inflater', async () => {
    const server = recorder('t');
    const client = recorder('t');
    const ms = manager();
    const mc = manager();
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
