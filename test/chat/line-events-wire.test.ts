/**
 * A relay shows a received line from its bytes (LineEvents.deliverWire, issue 9) exactly as it
 * shows the message parseLine gives for it (LineEvents.deliver): the same plain event when a
 * listener needs strings, and, for a `--json` printer (wireLines), a WireChatLine that prints
 * and JSON.stringifies as that event. Over runs of lines from a few origins and nicks (ours
 * among them), so the nick roster's answers (`ann~3f2a`) and warnings evolve alike.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode, parseLine } from '../../protocols/chat/codec.js';
import { Contacts } from '../../protocols/chat/contacts.js';
import { parseFloodBytes } from '../../protocols/chat/flood-bytes.js';
import type { ChatFrame } from '../../protocols/chat/frame-decoder.js';
import { LineEvents } from '../../protocols/chat/line-events.js';
import { Link } from '../../protocols/chat/link.js';
import { isFlood, type FloodMessage } from '../../protocols/chat/messages.js';
import type { AppEvent } from '../../src/app-api.js';
import { writeEventJson } from '../../src/event-bytes.js';
import { eventJsonLine } from '../../src/event-json.js';
import type { Connection } from '../../src/net/connection.js';
import { WireChatLine } from '../../src/wire-chat-line.js';
import { flood } from './arbitraries.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'line-events-wire-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A line from one of a few origins under one of a few nicks (ours is `me`), text with controls now and then. */
const line = fc
  .tuple(flood, fc.constantFrom('o1', 'o2', 'o3'), fc.constantFrom('ann', 'bob', 'me', 'ME'), fc.constantFrom('', '\u0001', '\t', '"', '\u0085', 'é'))
  .map(([m, origin, nick, extra]): string => {
    const withText = m.type === 'MSG' || m.type === 'ACT' || m.type === 'PART' ? { ...m, text: m.text + extra } : m;
    const raw = encode({ ...withText, origin, nick } as FloodMessage);
    return extra === '\u0001' ? raw.replace(/ :/, ' :\u0001') : raw;
  });

/** What a listener saw of each event while it was called: the event (its plain copy for a WireChatLine) and its --json bytes. */
interface Seen {
  event: AppEvent;
  wire: boolean;
  printed: string;
}

function shower(wireLines: boolean): { events: LineEvents; got: Seen[] } {
  const got: Seen[] = [];
  const buf = Buffer.alloc(64 * 1024);
  const emit = (e: AppEvent): void => {
    const end = writeEventJson(buf, 0, e);
    const wire = e instanceof WireChatLine;
    got.push({ event: wire ? e.toJSON() : e, wire, printed: end < 0 ? eventJsonLine(e) : buf.toString('utf8', 0, end) });
  };
  const ctx = { emit, listened: (): boolean => true, wireLines: (): boolean => wireLines };
  return { events: new LineEvents('ournode', ctx, new Contacts(dir), () => 'me'), got };
}

describe('LineEvents.deliverWire', () => {
  it('shows a line from its bytes as deliver() shows its parsed message: the same event, or one that prints and stringifies as it', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 30 }), (lines) => {
        const conn = { address: 'sim', nick: undefined } as unknown as Connection<ChatFrame>;
        const from = new Link(conn, 0);
        const plain = shower(false);
        const wired = shower(true);
        const general = shower(false);
        for (const l of lines) {
          const w = parseFloodBytes(Buffer.from(l, 'utf8'));
          const m = parseLine(l);
          if (w === undefined || !isFlood(m)) throw new Error(`not a flood line: ${l}`);
          plain.events.deliverWire(w, 2, from, 1000);
          wired.events.deliverWire(parseFloodBytes(Buffer.from(l, 'utf8'))!, 2, from, 1000);
          general.events.deliver({ message: m, self: false, hops: 2, from, now: 1000 });
        }
        expect(plain.got).toEqual(general.got);
        expect(plain.got.some((s) => s.wire)).toBe(false);
        expect(wired.got.length).toBe(general.got.length);
        wired.got.forEach((s, i) => {
          const want = general.got[i]!.event;
          expect(s.event).toEqual(want);
          expect(s.printed).toBe(JSON.stringify(want) + '\n');
        });
        // Lines with controls to strip show other text than their bytes: never as bytes.
        const asBytes = wired.got.filter((s) => s.wire).length;
        const stripped = lines.filter((l) => /[\u0000-\u0008\u000a-\u001f\u007f\u0080-\u009f]/.test(l)).length;
        expect(asBytes).toBeLessThanOrEqual(lines.length - stripped);
      }),
      { numRuns: 400 },
    );
  });
});
