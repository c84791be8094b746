import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from './fake-api.js';
import { VirtualTerminal } from './virtual-terminal.js';

let vt: VirtualTerminal | undefined;
afterEach(async () => {
  await vt?.quit();
  vt = undefined;
});

describe('tui in-process', () => {
  it('draws tabs and sends typed text as say', async () => {
    const api = new FakeApi('alice');
    vt = new VirtualTerminal(80, 24);
    await vt.start(api);
    await vi.waitFor(() => expect(vt?.line(0)).toContain('1:chat'));
    vt.type('hello world');
    await vi.waitFor(() => expect(vt?.inputLine).toContain('hello world'));
    vt.type('\r');
    await vi.waitFor(() => expect(api.calls).toEqual([{ plugin: 'chat', command: 'say', args: ['hello world'] }]));
    await vi.waitFor(() => expect(vt?.text()).toContain('<alice> hello world'));
  });
});
