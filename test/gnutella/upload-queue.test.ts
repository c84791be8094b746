import { describe, expect, it } from 'vitest';
import { UPLOAD_QUEUE_DEFAULTS, UploadQueue, type QueueVerdict } from '../../protocols/gnutella/upload-queue.js';

let n = 0;
const newId = (): string => (++n).toString(16).padStart(32, '0');
const S = 1000;

function queued(v: QueueVerdict): { position: number; length: number; id: string; retryAfterS: number; early: boolean } {
  if (v.kind !== 'queued') throw new Error(`not queued: ${v.kind}`);
  return { position: v.position, length: v.length, id: v.entry.id, retryAfterS: v.retryAfterS, early: v.early };
}

describe('the upload queue (pure, spec 5.4)', () => {
  it('holds 1,000 entries at most, one per address and file, 10 per address; the newcomer is refused', () => {
    const q = new UploadQueue({}, newId);
    for (let i = 0; i < UPLOAD_QUEUE_DEFAULTS.maxEntries; i++) expect(q.enqueue({ address: `10.0.${i >> 8}.${i & 255}`, file: 'f' }, 0).kind).toBe('queued');
    expect(q.size).toBe(1000);
    expect(q.enqueue({ address: '10.9.9.9', file: 'f' }, 0)).toMatchObject({ kind: 'busy', why: 'full' });
    expect(q.counts.full).toBe(1);
    // The same address and file again is the same entry, not a new one.
    expect(queued(q.enqueue({ address: '10.0.0.0', file: 'f' }, 0)).position).toBe(1);
    expect(q.size).toBe(1000);
    const p = new UploadQueue({}, newId);
    for (let i = 0; i < 10; i++) p.enqueue({ address: '10.1.1.1', file: `f${i}` }, 0);
    expect(p.enqueue({ address: '10.1.1.1', file: 'f10' }, 0)).toMatchObject({ kind: 'busy', why: 'address' });
  });

  it('a free slot waits for the one ahead until its Retry-After plus the grace, then goes on', () => {
    const q = new UploadQueue({ retryAfterS: 60, graceS: 30, lifetimeS: 600 }, newId);
    const a = queued(q.enqueue({ address: '1.1.1.1', file: 'x' }, 0));
    queued(q.enqueue({ address: '2.2.2.2', file: 'x' }, 0));
    expect(q.ask({ address: '3.3.3.3', file: 'x' }, 10 * S).kind).toBe('wait');
    expect(queued(q.ask({ address: '2.2.2.2', file: 'x' }, 61 * S)).position).toBe(2);
    // A is back in time (by its ID from another address): the slot is its.
    const v = q.ask({ address: '9.9.9.9', file: 'x', id: a.id.toLowerCase() }, 62 * S);
    expect(v.kind).toBe('slot');
    if (v.kind === 'slot' && v.entry) q.served(v.entry);
    expect(q.counts.served).toBe(1);
    // B was requeued at 61 s: expected until 151 s; a newcomer waits until then, not after.
    expect(q.ask({ address: '3.3.3.3', file: 'x' }, 150 * S).kind).toBe('wait');
    expect(q.ask({ address: '3.3.3.3', file: 'x' }, 152 * S).kind).toBe('slot');
  });

  it('an early client is told the time left and counted; past 5 early returns it loses its place', () => {
    const q = new UploadQueue({ retryAfterS: 60 }, newId);
    const a = queued(q.enqueue({ address: '1.1.1.1', file: 'x' }, 0));
    for (let i = 1; i <= 5; i++) {
      const again = queued(q.ask({ address: '1.1.1.1', file: 'x', id: a.id }, i * 10 * S));
      expect([again.early, again.id, again.retryAfterS]).toEqual([true, a.id, 60 - i * 10]);
    }
    expect(q.ask({ address: '1.1.1.1', file: 'x' }, 55 * S)).toMatchObject({ kind: 'busy', why: 'early' });
    expect(q.counts.early).toBe(6);
    expect(q.size).toBe(0);
  });

  it('forgets an entry not renewed within its lifetime', () => {
    const q = new UploadQueue({ retryAfterS: 60, lifetimeS: 300 }, newId);
    const a = queued(q.enqueue({ address: '1.1.1.1', file: 'x' }, 0));
    queued(q.enqueue({ address: '2.2.2.2', file: 'x' }, 250 * S));
    expect(q.ask({ address: '3.3.3.3', file: 'x' }, 301 * S).kind).toBe('wait');
    expect(q.size).toBe(1);
    const b = queued(q.enqueue({ address: '1.1.1.1', file: 'x', id: a.id }, 301 * S));
    expect([b.position, b.id === a.id]).toEqual([2, false]);
  });
});
