import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src/app-api.js';
import { formatEvent } from '../../src/event-text.js';
import { parseCommandLine } from '../../src/headless.js';

describe('headless text rendering', () => {
  it('renders each event kind as one readable line', () => {
    const at = Date.UTC(2026, 0, 1, 12, 34);
    const base = { protocol: 'chat', id: 'x', origin: 'o', at, hops: 1, self: false } as const;
    const cases: Array<[AppEvent, string]> = [
      [{ type: 'ready', ports: { chat: 6350, pplus2: 7000 } }, 'ready chat=6350 pplus2=7000'],
      [{ type: 'chat.line', kind: 'msg', nick: 'ann', text: 'hi', ...base }, '12:34 <ann> hi'],
      [{ type: 'chat.line', kind: 'action', nick: 'ann', text: 'waves', ...base }, '12:34 * ann waves'],
      [{ type: 'chat.line', kind: 'nick', nick: 'ann', text: 'anna', ...base }, '12:34 --- ann is now known as anna'],
      [{ type: 'chat.line', kind: 'part', nick: 'ann', text: 'quit', ...base }, '12:34 <-- ann left (quit)'],
      [{ type: 'peer.down', protocol: 'chat', address: '1.2.3.4:5', direction: 'out', reason: 'IDLE_TIMEOUT: idle' }, 'peer down chat 1.2.3.4:5 (out): IDLE_TIMEOUT: idle'],
      [{ type: 'search.hit', search: 's', n: 3, name: 'a.txt', size: -1, source: '1.2.3.4:7000', protocol: 'pplus2' }, '#3 a.txt (size unknown) from 1.2.3.4:7000 [pplus2]'],
      [{ type: 'search.hit', search: 's', n: 4, name: 'b.txt', size: 12, source: '1.2.3.4:7000', protocol: 'pplus2' }, '#4 b.txt (12 bytes) from 1.2.3.4:7000 [pplus2]'],
      [{ type: 'error', message: 'nope' }, 'error: nope'],
      [{ type: 'share.ready', files: 3, bytes: 42 }, 'sharing 3 files (42 bytes)'],
      [{ type: 'share.ready', files: 1, bytes: 1 }, 'sharing 1 file (1 byte)'],
      [{ type: 'share.hashed', files: 1, bytes: 1, hashed: 1, unhashed: 0, ms: 3 }, 'hashed the 1 file (1 new) in 3 ms'],
      [{ type: 'share.hashed', files: 3, bytes: 42, hashed: 1, unhashed: 0, ms: 250 }, 'hashed all 3 files (1 new) in 250 ms'],
      [
        { type: 'share.hashed', files: 3, bytes: 42, hashed: 2, unhashed: 1, ms: 9 },
        'hashed 2 of 3 files (2 new) in 9 ms; 1 could not be hashed, /rescan tries again',
      ],
    ];
    for (const [event, line] of cases) expect(formatEvent(event)).toBe(line);
  });

  it('splits command lines into a lower-cased command and words', () => {
    expect(parseCommandLine('/CONNECT  127.0.0.1:6350 ')).toEqual({ command: 'connect', args: ['127.0.0.1:6350'] });
    expect(parseCommandLine('/peers')).toEqual({ command: 'peers', args: [] });
    expect(parseCommandLine('/ quit now')).toEqual({ command: '', args: ['quit', 'now'] });
    expect(parseCommandLine('/')).toEqual({ command: '', args: [] });
  });
});
