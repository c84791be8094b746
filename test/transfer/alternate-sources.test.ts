import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import type { NetError } from '../../src/errors.js';
import { joinSource, MAX_ALTERNATES, takeNextSource } from '../../src/transfer/alternate-sources.js';
import { TransferEngine } from '../../src/transfer/transfer-engine.js';
import type { Transfer } from '../../src/transfer/transfer-record.js';
import type { DownloadRequest, DownloadSource } from '../../src/transfer/transfer-types.js';
import { tempDir } from '../share/helpers.js';
import { bufferSource } from './sources.js';

const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

function req(peer: string, extra: Partial<DownloadRequest> = {}): DownloadRequest {
  return { name: 'f.bin', peer, protocol: 'test', source: bufferSource(Buffer.alloc(1)), ...extra };
}

describe("a download's other sources", () => {
  let engine: TransferEngine | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  it(`keeps at most MAX_ALTERNATES (${MAX_ALTERNATES}) other sources, each once; the next keeps the name and the announced size`, () => {
    const t = { req: req('p0', { size: 100 }), alternates: [] } as unknown as Transfer & { info: { peer: string; protocol: string } };
    (t as { info: unknown }).info = { peer: 'p0', protocol: 'test' };
    let joined = 0;
    expect(joinSource(t, req('p0'), () => joined++)).toBe(false);
    for (let i = 1; i <= MAX_ALTERNATES + 5; i++) joinSource(t, req(`p${i}`, { name: 'other.bin', size: null }), () => joined++);
    expect(t.alternates).toHaveLength(MAX_ALTERNATES);
    expect(joined).toBe(MAX_ALTERNATES);
    expect(joinSource(t, req('p1'))).toBe(false);
    expect(takeNextSource(t, { code: 'FILE' } as NetError)).toBe(false); // our disk: no other source helps
    expect(takeNextSource(t, { code: 'SOCKET' } as NetError)).toBe(true);
    expect(t.req).toMatchObject({ peer: 'p1', name: 'f.bin', size: 100 });
    expect(t.info.peer).toBe('p1');
  });

  it('tells a source the download failed with it, a wrong SHA-1 included, and goes on from the next', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    engine = new TransferEngine({ downloadDir: dir });
    const events: AppEvent[] = [];
    engine.subscribe((e) => events.push(e));
    const data = randomBytes(50_000);
    const told: string[] = [];
    const liar: DownloadSource = { ...bufferSource(randomBytes(50_000), { ranges: true }), failed: (e) => told.push(`liar ${e.code}`) };
    const honest: DownloadSource = { ...bufferSource(data, { ranges: true }), failed: (e) => told.push(`honest ${e.code}`) };
    const id = engine.download({ name: 'f.bin', peer: 'liar', protocol: 'test', source: liar, size: data.length, sha1: sha1(data) });
    expect(engine.addSource({ name: 'f.bin', peer: 'honest', protocol: 'test', source: honest, size: null, sha1: sha1(data) })).toBe(id);
    await new Promise<void>((resolve) => engine!.subscribe((e) => (e.type === 'transfer.done' || e.type === 'transfer.failed') && resolve()));
    expect(told).toEqual(['liar VERIFY']);
    expect(events.find((e) => e.type === 'transfer.done')).toMatchObject({ peer: 'honest', verified: true, bytes: data.length });
    expect((await readFile(join(dir, 'f.bin'))).equals(data)).toBe(true);
  });
});
