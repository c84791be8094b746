import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { ManualClock } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import type { FileHit, FileProtocol } from '../../src/search/file-protocol.js';
import { HitTable } from '../../src/search/hit-table.js';
import { parseSearchArgs, formatQuery } from '../../src/search/search-query.js';
import { SearchService, type SearchServiceOptions } from '../../src/search/search-service.js';
import { TransferEngine } from '../../src/transfer/transfer-engine.js';
import { silentSource } from '../transfer/sources.js';

const hit = (name: string, extra: Partial<FileHit> = {}): FileHit => ({ name, size: 10, source: '127.0.0.1:1', ref: { name }, ...extra });

/** A file protocol answering `hits` at once, then waiting for its abort when `hold` is set. */
function fixed(hits: FileHit[], opts: { hold?: boolean; fail?: Error } = {}): FileProtocol & { aborted: unknown[] } {
  const aborted: unknown[] = [];
  return {
    aborted,
    async search(_q, sink, signal) {
      for (const h of hits) sink(h);
      if (opts.fail) throw opts.fail;
      if (opts.hold) {
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => {
            aborted.push(signal.reason);
            resolve();
          }, { once: true }),
        );
        sink(hit('too late.bin'));
      }
      return { peers: 3 };
    },
    source: () => silentSource(),
  };
}

function service(opts: Partial<SearchServiceOptions> = {}): { s: SearchService; events: AppEvent[]; clock: ManualClock; transfers: TransferEngine } {
  const events: AppEvent[] = [];
  const clock = new ManualClock();
  const transfers = new TransferEngine({ downloadDir: join(tmpdir(), 'peerdeck-never-written') });
  const s = new SearchService({ emit: (e) => events.push(e), transfers, clock, ...opts });
  return { s, events, clock, transfers };
}

/** One turn of the event loop. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const of = <T extends AppEvent['type']>(events: AppEvent[], type: T) => events.filter((e): e is Extract<AppEvent, { type: T }> => e.type === type);

describe('SearchService', () => {
  it('drops malformed hits (controls, bad sizes, huge names) and keeps good ones', async () => {
    const { s, events } = service();
    s.register('x', fixed([hit('ok.mp3'), hit('bad\u001b[2J.mp3'), hit('neg.mp3', { size: -5 }), hit('frac.mp3', { size: 1.5 }), hit('n'.repeat(2000)), hit('x.mp3', { source: 'a\nb' }), hit('good.mp3', { sha1: 'x y', speed: NaN })]));
    s.start({ text: 'a' });
    await vi.waitFor(() => expect(of(events, 'search.done')).toHaveLength(1));
    const hits = of(events, 'search.hit');
    expect(hits.map((h) => h.name)).toEqual(['ok.mp3', 'good.mp3']);
    expect(hits[1]).not.toHaveProperty('sha1');
    expect(hits[1]).not.toHaveProperty('speed');
  });

  it('asks the protocols from the next turn: a command answering /search in this turn comes before any hit or end', async () => {
    const { s, events } = service();
    s.register('x', fixed([hit('a')]));
    s.start({ text: 'a' });
    for (let i = 0; i < 20; i++) await Promise.resolve(); // the command's answer, through a few awaits
    expect(events.map((e) => e.type)).toEqual(['search.started']);
    await vi.waitFor(() => expect(events.map((e) => e.type)).toEqual(['search.started', 'search.hit', 'search.done']));
  });

  it('caps hits per protocol per search', async () => {
    const { s, events } = service({ maxHitsPerSearch: 2 });
    s.register('x', fixed([hit('a'), hit('b'), hit('c')]));
    s.start({ text: 'a' });
    await vi.waitFor(() => expect(of(events, 'search.done')).toEqual([{ type: 'search.done', search: 's1', protocol: 'x', hits: 2, peers: 3 }]));
  });

  it('aborts a search at its deadline; hits after the end are ignored', async () => {
    const { s, events, clock } = service({ searchTimeoutMs: 1000 });
    const p = fixed([hit('a')], { hold: true });
    s.register('x', p);
    s.start({ text: 'a' });
    await turn(); // the protocol is asked from the next turn (after /search's answer)
    clock.advance(999);
    expect(of(events, 'search.done')).toHaveLength(0);
    clock.advance(1);
    await vi.waitFor(() => expect(of(events, 'search.done')).toHaveLength(1));
    expect((p.aborted[0] as NetError).code).toBe('TIMEOUT');
    expect(of(events, 'search.hit').map((h) => h.name)).toEqual(['a']);
  });

  it('a search past the limit of running searches stops the oldest', async () => {
    const { s, events } = service({ maxActiveSearches: 2 });
    const p = fixed([], { hold: true });
    s.register('x', p);
    s.start({ text: 'a' });
    s.start({ text: 'b' });
    await turn();
    expect(of(events, 'search.done')).toHaveLength(0);
    s.start({ text: 'c' });
    await vi.waitFor(() => expect(of(events, 'search.done').map((d) => d.search)).toEqual(['s1']));
    expect((p.aborted[0] as NetError).code).toBe('LIMIT');
    await s.stop();
    expect(of(events, 'search.done').map((d) => d.search).sort()).toEqual(['s1', 's2', 's3']);
  });

  it('unregistering a protocol ends its part of running searches; others go on', async () => {
    const { s, events } = service();
    s.register('x', fixed([], { hold: true }));
    s.register('y', fixed([], { hold: true }));
    s.start({ text: 'a' });
    s.unregister('x');
    await vi.waitFor(() => expect(of(events, 'search.done').map((d) => d.protocol)).toEqual(['x']));
    expect(s.protocols).toEqual(['y']);
    await s.stop();
    expect(of(events, 'search.done').map((d) => d.protocol)).toEqual(['x', 'y']);
  });

  it('a failing protocol search reports an error and a done with 0 peers', async () => {
    const { s, events } = service();
    s.register('x', fixed([hit('a')], { fail: new Error('boom') }));
    s.start({ text: 'a' });
    await vi.waitFor(() => expect(of(events, 'search.done')).toEqual([{ type: 'search.done', search: 's1', protocol: 'x', hits: 1, peers: 0 }]));
    expect(of(events, 'error')[0]).toMatchObject({ protocol: 'x', message: expect.stringContaining('boom') });
  });

  it('/get of another source of a file already downloading joins that download: no error, no second transfer', async () => {
    const { s, events, transfers } = service();
    const sha1 = 'ab'.repeat(20);
    s.register('x', fixed([hit('song.mp3', { sha1, source: '127.0.0.1:1' }), hit('song.mp3', { sha1, source: '127.0.0.1:2' })]));
    s.start({ text: 'song' });
    await vi.waitFor(() => expect(of(events, 'search.hit')).toHaveLength(2));
    const [a, b] = of(events, 'search.hit');
    expect(s.download(a!.n)).toMatchObject({ joined: false });
    const again = s.download(b!.n);
    expect(again).toMatchObject({ joined: true, id: transfers.list()[0]!.id });
    expect(transfers.list()).toHaveLength(1);
    // the same source twice is "already downloading": that download, said as an answer (it was a DUPLICATE error)
    expect(s.download(b!.n)).toMatchObject({ joined: false, id: transfers.list()[0]!.id, already: { id: transfers.list()[0]!.id, name: 'song.mp3' } });
    expect(transfers.list()).toHaveLength(1);
    await transfers.stop();
  });

  it('builds download requests with the protocol options, size and SHA-1; unknown protocols are NOT_FOUND', () => {
    const { s } = service();
    s.register('x', { ...fixed([]), download: { emptyIsMissing: true, maxBytes: 5 } });
    const req = s.request('x', hit('a.bin', { size: -1, sha1: 'abc' }));
    expect(req).toMatchObject({ name: 'a.bin', peer: '127.0.0.1:1', protocol: 'x', size: null, sha1: 'abc', emptyIsMissing: true, maxBytes: 5 });
    expect(() => s.request('y', hit('a'))).toThrowError(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('HitTable', () => {
  it('numbers from 1, never reuses a number, forgets the oldest past its cap', () => {
    const t = new HitTable(2);
    expect([1, 2, 3].map((i) => t.add('s', 'p', hit(`f${i}`)).n)).toEqual([1, 2, 3]);
    expect(t.get(1)).toBeUndefined();
    expect(t.issued(1)).toBe(true);
    expect(t.issued(4)).toBe(false);
    expect(t.get(3)?.hit.name).toBe('f3');
    expect(t.size).toBe(2);
  });

  it('forgets in constant time past its cap: 300,000 hits into 10,000 numbers (it was quadratic, seconds)', { timeout: 10_000 }, () => {
    const t = new HitTable(10_000);
    const h = hit('x');
    for (let i = 0; i < 300_000; i++) t.add('s', 'p', h);
    expect(t.size).toBe(10_000);
    expect(t.get(290_000)).toBeUndefined();
    expect(t.get(290_001)?.n).toBe(290_001);
    expect(t.get(300_000)?.n).toBe(300_000);
  });
});

describe('parseSearchArgs', () => {
  it('reads options before the words, as one argument or many', () => {
    expect(parseSearchArgs(['-p pplus2 -min 1.5k -max 4M -type Audio -ext .MP3 live  song'])).toEqual({
      protocol: 'pplus2',
      query: { text: 'live song', minSize: 1536, maxSize: 4 * 1024 ** 2, type: 'audio', extension: 'mp3' },
    });
    expect(parseSearchArgs(['--', '-remix', 'x'])).toEqual({ query: { text: '-remix x' } });
    expect(parseSearchArgs(['a', '-p', 'b'])).toEqual({ query: { text: 'a -p b' } });
  });

  it('reads the query back with sizes in words, exact (it said -min 1048576)', () => {
    const back = (...args: string[]): string => formatQuery(parseSearchArgs(args).query);
    expect(back('-min', '1M', '-max', '1.5g', '-type', 'audio', 'song')).toBe('song -min 1.0 MiB -max 1.5 GiB -type audio');
    expect(back('-min', '700k', '-ext', 'mp3', 'song')).toBe('song -min 700 KiB -ext mp3');
    expect(back('-min', '100', 'x')).toBe('x -min 100 B');
    // 1.5 KiB would be 1536: a readback states the number in force.
    expect(back('-max', '1500', 'x')).toBe('x -max 1500 B');
    expect(back('-max', '1.23m', 'x')).toBe(`x -max ${Math.floor(1.23 * 1024 ** 2)} B`);
  });

  it('refuses what no protocol could send', () => {
    for (const args of [[], ['-p'], ['-bogus', 'x'], ['-min', 'lots', 'x'], ['-type', 'movie', 'x'], ['-ext', 'a/b', 'x'], ['-min', '2k', '-max', '1k', 'x'], ['x'.repeat(300)], ['-p', 'x']]) {
      expect(() => parseSearchArgs(args), JSON.stringify(args)).toThrowError(expect.objectContaining({ code: 'USAGE' }));
    }
  });
});
