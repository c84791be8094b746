import { inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { NetError } from '../../src/errors.js';
import { SendQueue } from '../../src/net/send-queue.js';
import { socketPair } from '../socket-pair.js';

const pairs: Array<{ close(): void }> = [];
afterEach(() => pairs.splice(0).forEach((p) => p.close()));

async function pair(): Promise<Awaited<ReturnType<typeof socketPair>>> {
  const p = await socketPair();
  pairs.push(p);
  return p;
}

/** Everything `inn` receives, as it arrives. */
function collect(inn: NodeJS.ReadableStream): Buffer[] {
  const got: Buffer[] = [];
  inn.on('data', (c: Buffer) => got.push(c));
  return got;
}

const until = async (ok: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
};

const limits = { highWater: 1000, lowWater: 100, hardCap: 5000 };

describe('SendQueue', () => {
  it('hands every write of one tick to the kernel in one go, and counts what it took', async () => {
    const { out, inn } = await pair();
    const q = new SendQueue(out, limits);
    const writes: number[] = [];
    const write = out._writev!.bind(out);
    out._writev = (chunks, cb) => (writes.push(chunks.length), write(chunks, cb));
    for (let i = 0; i < 10; i++) expect(q.offer(`line ${i}\n`, false)).toBe('send');
    expect(q.bytesOut).toBe(70);
    const got = collect(inn);
    await until(() => Buffer.concat(got).length === 70);
    expect(writes).toEqual([10]);
    expect(Buffer.concat(got).toString()).toBe(Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(''));
  });

  it('is congested from the high watermark until a drain finds it at the low one; droppable bytes past it are dropped, precious bytes past the hard cap cut', async () => {
    const { out, inn } = await pair();
    inn.pause();
    const q = new SendQueue(out, limits);
    expect(q.offer(Buffer.alloc(999), false)).toBe('send');
    expect(q.congested).toBe(false);
    expect(q.offer(Buffer.alloc(10), false)).toBe('send');
    expect(q.congested).toBe(true);
    expect(q.offer('x', true)).toBe('drop');
    expect(q.offer(Buffer.alloc(5000), false)).toBe('cut');
    expect(q.bytesOut).toBe(1009);
    expect(q.drained()).toBe(false); // nothing written yet
    q.flush();
    inn.resume();
    await until(() => q.queuedBytes === 0);
    expect(q.drained()).toBe(true);
    expect(q.congested).toBe(false);
    expect(q.drained()).toBe(false); // once
  });

  it('deflates once compressed, and ends the socket after what is queued', async () => {
    const { out, inn } = await pair();
    const q = new SendQueue(out, limits);
    const failed: NetError[] = [];
    q.compress({ drain: () => undefined, fail: (e) => failed.push(e), active: () => true }, {});
    expect(q.compressed).toBe(true);
    q.offer('hello '.repeat(100), false);
    const got = collect(inn);
    const ended = new Promise((r) => inn.on('end', r));
    q.end();
    await ended;
    expect(inflateSync(Buffer.concat(got)).toString()).toBe('hello '.repeat(100));
    expect(failed).toEqual([]);
  });
});
