/**
 * The real TUI (blessed) on fake streams, read back through @xterm/headless:
 * typing and editing keys, history, completion, paste, help and routing.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeApi } from './fake-api.js';
import { VirtualTerminal } from './virtual-terminal.js';

const KEY = {
  enter: '\r',
  up: '\x1b[A',
  down: '\x1b[B',
  left: '\x1b[D',
  right: '\x1b[C',
  home: '\x1b[H',
  end: '\x1b[F',
  backspace: '\x7f',
  delete: '\x1b[3~',
  ctrlA: '\x01',
  ctrlE: '\x05',
  ctrlW: '\x17',
  ctrlU: '\x15',
  ctrlK: '\x0b',
  tab: '\t',
} as const;

let vt: VirtualTerminal | undefined;
afterEach(async () => {
  await vt?.quit();
  vt = undefined;
});

async function setup(cols = 80, rows = 24): Promise<{ vt: VirtualTerminal; api: FakeApi }> {
  const api = new FakeApi('alice');
  vt = new VirtualTerminal(cols, rows);
  await vt.start(api);
  await vi.waitFor(() => expect(vt?.line(0)).toContain('1:chat'));
  return { vt, api };
}

/** Waits until the input row shows exactly `text` after the prompt. */
async function inputIs(v: VirtualTerminal, text: string): Promise<void> {
  await vi.waitFor(() => expect(v.inputLine).toBe(`[chat] ${text}`.trimEnd()));
}

describe('input line', () => {
  it('edits with cursor keys, Home/End and Ctrl-A/E/W/U/K, Backspace and Delete', async () => {
    const { vt } = await setup();
    vt.type('hello world');
    await inputIs(vt, 'hello world');
    vt.type(KEY.ctrlW);
    await inputIs(vt, 'hello');
    await vi.waitFor(() => expect(vt.cursor.x).toBe('[chat] hello '.length)); // Ctrl-W keeps the space, as bash does
    vt.type(KEY.backspace);
    await vi.waitFor(() => expect(vt.cursor.x).toBe('[chat] hello'.length));
    vt.type(KEY.ctrlA);
    vt.type('>');
    await inputIs(vt, '>hello');
    vt.type(KEY.ctrlE);
    vt.type('!');
    await inputIs(vt, '>hello!');
    vt.type(KEY.home);
    vt.type(KEY.delete);
    await inputIs(vt, 'hello!');
    vt.type(KEY.end);
    vt.type(KEY.backspace);
    await inputIs(vt, 'hello');
    vt.type(KEY.left + KEY.left);
    vt.type(KEY.ctrlK);
    await inputIs(vt, 'hel');
    await vi.waitFor(() => expect(vt.cursor).toEqual({ x: '[chat] hel'.length, y: 23 }));
    vt.type(KEY.left);
    vt.type(KEY.ctrlU);
    await inputIs(vt, 'l');
    await vi.waitFor(() => expect(vt.cursor.x).toBe('[chat] '.length));
  });

  it('keeps per-window history on Up/Down, with the unsent draft restored', async () => {
    const { vt, api } = await setup();
    vt.type('first');
    vt.type(KEY.enter);
    vt.type('second');
    vt.type(KEY.enter);
    await vi.waitFor(() => expect(api.calls.length).toBe(2));
    vt.type('draft');
    vt.type(KEY.up);
    await inputIs(vt, 'second');
    vt.type(KEY.up);
    await inputIs(vt, 'first');
    vt.type(KEY.down);
    await inputIs(vt, 'second');
    vt.type(KEY.down);
    await inputIs(vt, 'draft');
    // The Log window has its own (empty) history.
    vt.type('\x1b3');
    await vi.waitFor(() => expect(vt.inputLine).toBe('[Log]'));
    vt.type(KEY.up);
    await vi.waitFor(() => expect(vt.inputLine).toBe('[Log]'));
  });

  it('completes nicks seen in the window, commands, and result numbers; Tab again cycles', async () => {
    const { vt, api } = await setup();
    api.chat('bob', 'hi');
    api.chat('bobby', 'hey');
    await vi.waitFor(() => expect(vt.text()).toContain('<bobby> hey'));
    vt.type('bo');
    vt.type(KEY.tab);
    await inputIs(vt, 'bobby:');
    vt.type(KEY.tab);
    await inputIs(vt, 'bob:');
    vt.type('x' + KEY.ctrlU);
    vt.type('/con');
    vt.type(KEY.tab);
    await inputIs(vt, '/connect');
    vt.type(KEY.ctrlU);
    api.emit({ type: 'search.hit', search: 's1', n: 12, name: 'a.mp3', size: 1000, source: '1.2.3.4:6346', protocol: 'gnutella' });
    api.emit({ type: 'search.hit', search: 's1', n: 13, name: 'b.mp3', size: 2000, source: '1.2.3.4:6346', protocol: 'gnutella' });
    vt.type('/get 1');
    vt.type(KEY.tab);
    await inputIs(vt, '/get 12');
    vt.type(KEY.tab);
    await inputIs(vt, '/get 13');
  });

  it('sends //text as the literal /text and rejects unknown commands without sending', async () => {
    const { vt, api } = await setup();
    vt.type('//slash');
    vt.type(KEY.enter);
    await vi.waitFor(() => expect(api.calls).toEqual([{ plugin: 'chat', command: 'say', args: ['/slash'] }]));
    vt.type('/frobnicate now');
    vt.type(KEY.enter);
    await vi.waitFor(() => expect(vt.text()).toContain('unknown command /frobnicate (try /help)'));
    expect(api.calls).toHaveLength(1);
    vt.type('/me waves');
    vt.type(KEY.enter);
    await vi.waitFor(() => expect(api.calls[1]).toEqual({ plugin: 'chat', command: 'me', args: ['waves'] }));
    await vi.waitFor(() => expect(vt.text()).toContain('* alice waves'));
  });

  it("prefers the window's plugin for a command several offer, and hosts the transfers plugin in Transfers", async () => {
    const api = new FakeApi('alice', [
      { plugin: 'core', commands: [] },
      { plugin: 'transfers', commands: [{ name: 'cancel', args: '<N>', help: 'stop a transfer' }] },
      { plugin: 'chat', commands: [{ name: 'say', args: '<text>', help: 'send' }, { name: 'cancel', args: '', help: 'chat cancel' }] },
    ]);
    vt = new VirtualTerminal(80, 24);
    await vt.start(api);
    await vi.waitFor(() => expect(vt?.line(0)).toMatch(/^ 1:chat\s+2:Transfers\s+3:Log\s*$/));
    vt.type('/cancel\r');
    await vi.waitFor(() => expect(api.calls.at(-1)).toEqual({ plugin: 'chat', command: 'cancel', args: [] }));
    vt.type('\x1b2');
    await vi.waitFor(() => expect(vt?.inputLine).toBe('[Transfers]'));
    vt.type('/cancel 3\r');
    await vi.waitFor(() => expect(api.calls.at(-1)).toEqual({ plugin: 'transfers', command: 'cancel', args: ['3'] }));
    vt.type('just text\r');
    await vi.waitFor(() => expect(vt?.text()).toContain('nothing to send to in this window'));
    expect(api.calls).toHaveLength(2);
  });

  it('shows command output and errors from run', async () => {
    const { vt, api } = await setup();
    api.handlers.set('chat.connect', (args) => {
      if (args[0] === 'bad') throw new Error('cannot parse address bad');
      return [`dialling ${args[0] ?? ''}`];
    });
    vt.type('/connect 127.0.0.1:9' + KEY.enter);
    await vi.waitFor(() => expect(vt.text()).toContain('dialling 127.0.0.1:9'));
    vt.type('/connect bad' + KEY.enter);
    await vi.waitFor(() => expect(vt.text()).toContain('!!! cannot parse address bad'));
  });

  it('sends every line of a multi-line paste (one read), keeping the last partial line', async () => {
    const { vt, api } = await setup();
    vt.type('one\ntwo\nthree\npart');
    await vi.waitFor(() => expect(api.calls.map((c) => c.args[0])).toEqual(['one', 'two', 'three']));
    await inputIs(vt, 'part');
  });

  it('handles bracketed paste split across reads', async () => {
    const { vt, api } = await setup();
    vt.type('\x1b[200~alpha\r\nbe');
    vt.type('ta\r\n\x1b[20');
    vt.type('1~');
    await vi.waitFor(() => expect(api.calls.map((c) => c.args[0])).toEqual(['alpha', 'beta']));
  });

  it('asks before sending a paste of more than 5 lines', async () => {
    const { vt, api } = await setup();
    const lines = Array.from({ length: 7 }, (_, i) => `line ${i + 1}`);
    vt.type(`\x1b[200~${lines.join('\n')}\n\x1b[201~`);
    await vi.waitFor(() => expect(vt.inputLine).toContain('Send 7 pasted lines to [chat]? (y/n)'));
    expect(api.calls).toHaveLength(0);
    vt.type('y');
    await vi.waitFor(() => expect(api.calls.map((c) => c.args[0])).toEqual(lines));
    vt.type(`\x1b[200~${lines.join('\n')}\n\x1b[201~`);
    await vi.waitFor(() => expect(vt.inputLine).toContain('Send 7 pasted lines'));
    vt.type('n');
    await vi.waitFor(() => expect(vt.text()).toContain('paste of 7 lines cancelled'));
    expect(api.calls).toHaveLength(7);
  });

  it('lists every command with /help and explains one with /help cmd', async () => {
    const { vt } = await setup(100, 30);
    vt.type('/help' + KEY.enter);
    await vi.waitFor(() => {
      const t = vt.text();
      expect(t).toContain('/connect <host:port>');
      expect(t).toContain('/win [n|name]');
      expect(t).toContain('/me <action>');
    });
    vt.type('/help connect' + KEY.enter);
    await vi.waitFor(() => expect(vt.text()).toContain('(chat) dial a peer'));
    vt.type('/help nope' + KEY.enter);
    await vi.waitFor(() => expect(vt.text()).toContain('unknown command /nope (try /help)'));
  });
});
