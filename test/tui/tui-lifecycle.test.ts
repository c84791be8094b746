/**
 * Giving the terminal back on every path, and mouse mode.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from './fake-api.js';
import { VirtualTerminal } from './virtual-terminal.js';

let vt: VirtualTerminal | undefined;
afterEach(async () => {
  await vt?.quit().catch(() => undefined);
  vt = undefined;
});

function record(v: VirtualTerminal): () => string {
  let out = '';
  const write = v.output.write.bind(v.output);
  v.output.write = ((chunk: unknown, ...rest: never[]) => {
    out += String(chunk);
    return write(chunk as string, ...rest);
  }) as typeof v.output.write;
  return () => out;
}

describe('terminal lifecycle', () => {
  it('restores the terminal and rejects with the error on a crash, removing its handlers', async () => {
    vt = new VirtualTerminal(80, 24);
    const before = process.listenerCount('uncaughtException');
    const out = record(vt);
    await vt.start(new FakeApi());
    const ours = process.listeners('uncaughtException').at(-1);
    expect(process.listenerCount('uncaughtException')).toBeGreaterThan(before);
    // Call only our handler: emitting the event would also reach the test runner's.
    ours?.(new Error('boom'), 'uncaughtException');
    await expect(vt.done).rejects.toThrow('boom');
    expect(out()).toContain('\x1b[?1049l');
    expect(out()).toContain('\x1b[?25h');
    expect(process.listenerCount('uncaughtException')).toBe(before);
    vt.term.dispose();
    vt = undefined;
  });

  it('gives the terminal back when the api fails at start', async () => {
    const api = new FakeApi();
    api.subscribe = () => {
      throw new Error('no events today');
    };
    vt = new VirtualTerminal(80, 24);
    const out = record(vt);
    await vt.start(api);
    await expect(vt.done).rejects.toThrow('no events today');
    expect(out()).toContain('\x1b[?1049l');
    vt.term.dispose();
    vt = undefined;
  });

  it('ends when its input ends (the terminal closed)', async () => {
    vt = new VirtualTerminal(80, 24);
    await vt.start(new FakeApi());
    vt.input.end();
    await vt.done;
    vt.term.dispose();
    vt = undefined;
  });

  it('leaves the mouse alone by default, and with --mouse a click on a window name switches to it', async () => {
    vt = new VirtualTerminal(80, 24);
    const out = record(vt);
    await vt.start(new FakeApi());
    await vi.waitFor(() => expect(vt?.line(0)).toContain('1:chat'));
    expect(out()).not.toMatch(/\x1b\[\?100[0-6]h/);
    await vt.quit();

    vt = new VirtualTerminal(80, 24);
    const out2 = record(vt);
    await vt.start(new FakeApi(), { mouse: true });
    await vi.waitFor(() => expect(vt?.line(0)).toContain('1:chat'));
    expect(out2()).toMatch(/\x1b\[\?1000h/);
    const x = vt.line(0).indexOf('Log') + 1;
    vt.type(`\x1b[<0;${x};1M\x1b[<0;${x};1m`); // SGR press and release, 1-based
    await vi.waitFor(() => expect(vt?.inputLine).toBe('[Log]'));
  });
});
