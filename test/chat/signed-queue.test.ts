/**
 * The signed-line queue (protocols/chat/signed-queue.ts) as a decision: whatever order the
 * thread pool finishes the checks in, each link's lines come out in arrival order; at most
 * `maxInFlight` checks run at once; a link with `maxPerLink` lines waiting is paused and
 * resumed at half; a closed link's lines are dropped. (The real-socket test is in
 * signed.test.ts: 3,000 lines relayed in order.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Link } from '../../protocols/chat/link.js';
import type { MsgMessage } from '../../protocols/chat/messages.js';
import { SignedQueue } from '../../protocols/chat/signed-queue.js';
import type { SignedLine } from '../../protocols/chat/signing.js';

/** What the queue touches of a link: closed and pause(). */
interface StandIn {
  conn: { closed: boolean; paused: number; pause(): void };
}
const standIn = (): StandIn => ({ conn: { closed: false, paused: 0, pause() { this.paused++; } } });
const asLink = (s: StandIn): Link => s as unknown as Link;
const line = (text: string): SignedLine => ({ message: { type: 'MSG', id: text, hopsLeft: 3, origin: 'o', at: 0, nick: 'n', text } as MsgMessage, key: 'k', sig: 's' });

describe('signed-line queue', () => {
  it('hands lines on in arrival order per link, whatever order the checks finish in; in-flight stays capped', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), fc.boolean()), { minLength: 1, maxLength: 200 }), fc.array(fc.nat(), { maxLength: 400 }), (pushes, picks) => {
        const links = [standIn(), standIn(), standIn()];
        const running: Array<() => void> = [];
        let maxRunning = 0;
        const out = new Map<StandIn, string[]>();
        const q = new SignedQueue({
          maxInFlight: 4,
          maxPerLink: 1_000,
          verify: (s, done) => {
            running.push(() => done(!s.message.id.endsWith('bad')));
            maxRunning = Math.max(maxRunning, running.length);
          },
          settled: (l, s, ok) => {
            const key = links.find((x) => asLink(x) === l)!;
            if (ok) out.set(key, [...(out.get(key) ?? []), (s.message as MsgMessage).text]);
          },
          resume: () => undefined,
        });
        const want = new Map<StandIn, string[]>();
        pushes.forEach(([li, good], i) => {
          const l = links[li]!;
          const text = `${li}-${i}-${good ? 'ok' : 'bad'}`;
          q.push(asLink(l), line(text));
          if (good) want.set(l, [...(want.get(l) ?? []), text]);
        });
        // Finish the checks in an arbitrary order.
        let k = 0;
        while (running.length > 0) {
          const i = (picks[k++] ?? 0) % running.length;
          running.splice(i, 1)[0]!();
        }
        expect(maxRunning).toBeLessThanOrEqual(4);
        expect(q.pending).toBe(0);
        for (const l of links) expect(out.get(l) ?? []).toEqual(want.get(l) ?? []);
      }),
    );
  });

  it('pauses a link with maxPerLink lines waiting, resumes it at half, and drops the lines of a closed link', () => {
    const a = standIn();
    const b = standIn();
    const running: Array<() => void> = [];
    const settled: string[] = [];
    const resumed: StandIn[] = [];
    const q = new SignedQueue({
      maxInFlight: 100,
      maxPerLink: 4,
      verify: (_s, done) => void running.push(() => done(true)),
      settled: (_l, s) => void settled.push((s.message as MsgMessage).text),
      resume: (l) => void resumed.push(l as unknown as StandIn),
    });
    for (let i = 0; i < 4; i++) q.push(asLink(a), line(`a${i}`));
    expect(a.conn.paused).toBe(1);
    q.push(asLink(b), line('b0'));
    expect(b.conn.paused).toBe(0);
    running.shift()!(); // a0: 3 left, over half
    expect(resumed).toEqual([]);
    running.shift()!(); // a1: 2 left, half
    expect(resumed).toEqual([a]);
    a.conn.closed = true;
    for (const f of running.splice(0)) f();
    expect(settled).toEqual(['a0', 'a1', 'b0']);
    expect(q.pending).toBe(0);
  });
});
