/**
 * The headless stdout queue (src/event-outbox.ts) over a real socket: events come out in
 * order, as their exact `--json` lines, whether written as bytes into the reused batch
 * buffers (chat.line), as text (every other event, and a chat.line too big for a batch), or
 * held back while the reader is slow (a bounded queue, chat lines waiting as their bytes,
 * progress coalesced, dropped chat lines counted); and a stream that keeps the chunks it is
 * given (a PassThrough) gets batches nobody reuses.
 */
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { writeEventJson } from '../../src/event-bytes.js';
import { eventJsonLine } from '../../src/event-json.js';
import { EventOutbox } from '../../src/event-outbox.js';
import { formatEvent } from '../../src/event-text.js';
import { socketPair as connectedPair } from '../socket-pair.js';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

/** A connected pair of sockets on 127.0.0.1 (test/socket-pair.ts), closed after the test. */
async function socketPair(): Promise<{ out: Socket; inn: Socket }> {
  const pair = await connectedPair();
  closers.push(pair.close);
  return pair;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function line(i: number, text = `line number ${i} of the outbox test, "quoted" \\ é \ud83d\ude00`): AppEvent {
  return { type: 'chat.line', protocol: 'chat', kind: 'msg', id: `id${i}`, nick: i % 7 === 0 ? `nick${i}` : 'ann', text, origin: 'o1', at: 1_700_000_000_000 + (i >> 4), hops: 1 + (i % 3), self: false };
}

/** Everything `inn` receives until `bytes` have arrived. */
function receive(inn: Socket | PassThrough, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  return new Promise((resolve) => {
    inn.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= bytes) resolve(Buffer.concat(chunks));
    });
  });
}

describe('EventOutbox', () => {
  it('writes chat lines as bytes and other events as text, in order, over many turns, with a line too big for a batch among them', async () => {
    const { out, inn } = await socketPair();
    const outbox = new EventOutbox(out, eventJsonLine, { encode: writeEventJson, reuseBatches: true });
    const events: AppEvent[] = [];
    for (let i = 0; i < 3000; i++) {
      events.push(line(i));
      if (i % 97 === 0) events.push({ type: 'notice', protocol: 'chat', text: `notice ${i} \u0001` });
      if (i === 1500) events.push(line(i, 'x'.repeat(100_000)));
    }
    const want = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''), 'utf8');
    const got = receive(inn, want.length);
    for (let i = 0; i < events.length; i += 250) {
      for (const e of events.slice(i, i + 250)) outbox.push(e);
      await turn();
    }
    expect((await got).equals(want)).toBe(true);
  });

  it('writes the text rendering through the same batches (headless without --json)', async () => {
    const { out, inn } = await socketPair();
    const outbox = new EventOutbox(out, (e) => formatEvent(e) + '\n', { reuseBatches: true });
    const events = Array.from({ length: 2000 }, (_, i) => line(i));
    const want = Buffer.from(events.map((e) => formatEvent(e) + '\n').join(''), 'utf8');
    const got = receive(inn, want.length);
    for (const e of events) outbox.push(e);
    expect((await got).equals(want)).toBe(true);
  });

  it('hands a stream that keeps its chunks (a PassThrough) batches nobody writes over later, unless told they are copied out', async () => {
    const keeper = new PassThrough({ highWaterMark: 1 << 30 });
    const outbox = new EventOutbox(keeper, eventJsonLine, { encode: writeEventJson });
    const events = Array.from({ length: 5000 }, (_, i) => line(i));
    for (let i = 0; i < events.length; i += 100) {
      for (const e of events.slice(i, i + 100)) outbox.push(e);
      await turn(); // each turn's batch is written and stays in the PassThrough, unread
    }
    const want = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''), 'utf8');
    const all: Buffer[] = [];
    for (let c = keeper.read() as Buffer | null; c !== null; c = keeper.read() as Buffer | null) all.push(c);
    expect(Buffer.concat(all).equals(want)).toBe(true);
  });

  it('holds back a bounded queue while the reader is slow, counts the chat lines it drops, and writes the rest in order', async () => {
    const { out, inn } = await socketPair();
    inn.pause(); // nobody reads for now
    const outbox = new EventOutbox(out, eventJsonLine, { encode: writeEventJson, maxEvents: 2000, hardMax: 4000, reuseBatches: true });
    const total = 60_000;
    let maxQueued = 0;
    for (let i = 0; i < total; i += 500) {
      for (let j = i; j < i + 500; j++) outbox.push(line(j));
      maxQueued = Math.max(maxQueued, outbox.queued);
      await turn();
    }
    expect(maxQueued).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(2000);
    const lines: string[] = [];
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let dropped = -1;
    const done = new Promise<void>((resolve) => {
      inn.on('data', (c: Buffer) => {
        const parts = (rest + decoder.write(c)).split('\n');
        rest = parts.pop() ?? '';
        for (const p of parts) {
          const e = JSON.parse(p) as AppEvent;
          if (e.type === 'notice') {
            dropped = Number(/^stdout is not keeping up: (\d+) chat lines dropped$/.exec(e.text)?.[1]);
            resolve();
          } else lines.push(p);
        }
      });
    });
    inn.resume();
    await done;
    expect(dropped).toBeGreaterThan(0);
    // What arrived is whole lines, each exactly its event's text, in the order they were pushed.
    let last = -1;
    for (const p of lines) {
      const e = JSON.parse(p) as Extract<AppEvent, { type: 'chat.line' }>;
      const i = Number(e.id.slice(2));
      expect(i).toBeGreaterThan(last);
      expect(p).toBe(JSON.stringify(line(i)));
      last = i;
    }
    expect(lines.length + dropped).toBe(total);
  });
  it('holds back chat lines as bytes among other events while the reader is slow, and writes them all in order once it reads (progress coalesced, a line too big for a batch kept as an event)', async () => {
    const { out, inn } = await socketPair();
    inn.pause();
    const outbox = new EventOutbox(out, eventJsonLine, { encode: writeEventJson, maxEvents: 100_000, hardMax: 100_000, reuseBatches: true });
    const want: AppEvent[] = [];
    // Fill the socket until the outbox holds events back.
    let i = 0;
    while (outbox.queued === 0) {
      for (const end = i + 200; i < end; i++) {
        want.push(line(i));
        outbox.push(line(i));
      }
      await turn();
    }
    const filled = outbox.queued;
    // Everything from here on waits in the queue (nobody reads): a mix, over several turns.
    const progressAt = new Map<number, number>();
    let progress = 0;
    for (let k = 0; k < 6000; k++, i++) {
      let e: AppEvent = line(i);
      if (k % 101 === 0) e = { type: 'notice', protocol: 'chat', text: `notice ${k} \u0001 "q"` };
      else if (k % 37 === 0) e = { type: 'transfer.progress', id: k % 3, name: `f${k % 3}`, direction: 'down', peer: '10.0.0.2:7000', bytes: k, total: 6000, rate: k / 2, eta: null };
      else if (k === 3001) e = line(i, 'y'.repeat(80_000));
      outbox.push(e);
      if (e.type === 'transfer.progress') {
        progress++;
        const at = progressAt.get(e.id);
        if (at !== undefined) want[at] = e;
        else (progressAt.set(e.id, want.length), want.push(e));
      } else want.push(e);
      if (k % 500 === 0) await turn();
    }
    // Each event waits (as bytes or as itself) but the progress of a transfer, kept once.
    expect(outbox.queued).toBe(filled + 6000 - progress + progressAt.size);
    const bytes = Buffer.from(want.map((e) => JSON.stringify(e) + '\n').join(''), 'utf8');
    const got = receive(inn, bytes.length);
    inn.resume();
    const all = await got;
    expect(all.length).toBe(bytes.length);
    expect(all.equals(bytes)).toBe(true);
    await turn();
    expect(outbox.queued).toBe(0);
  });

  it('holds back chat lines as bytes for a stream that keeps its chunks, in batches nobody writes over (a slow PassThrough)', async () => {
    const keeper = new PassThrough({ highWaterMark: 16 * 1024 });
    const outbox = new EventOutbox(keeper, eventJsonLine, { encode: writeEventJson, maxEvents: 100_000, hardMax: 100_000 });
    const events = Array.from({ length: 20_000 }, (_, i) => (i % 999 === 0 ? ({ type: 'notice', protocol: 'chat', text: `n${i}` } as AppEvent) : line(i)));
    const all: Buffer[] = [];
    let maxQueued = 0;
    for (let i = 0; i < events.length; i += 400) {
      for (const e of events.slice(i, i + 400)) outbox.push(e);
      maxQueued = Math.max(maxQueued, outbox.queued);
      await turn();
      // Read a little now and then: the queue fills and drains, chunks stay with the reader.
      if ((i / 400) % 5 === 4) for (let c = keeper.read() as Buffer | null; c !== null; c = keeper.read() as Buffer | null) all.push(c);
    }
    expect(maxQueued).toBeGreaterThan(1000);
    const want = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''), 'utf8');
    while (Buffer.concat(all).length < want.length) {
      for (let c = keeper.read() as Buffer | null; c !== null; c = keeper.read() as Buffer | null) all.push(c);
      await turn();
    }
    expect(Buffer.concat(all).equals(want)).toBe(true);
  });
});
