import { describe, expect, it } from 'vitest';
import type { EventOf } from '../../src/app-api.js';
import { chatLine } from '../../tui/line-format.js';

const base: EventOf<'chat.line'> = { type: 'chat.line', protocol: 'chat', kind: 'msg', id: 'i', nick: 'ann', text: 'hi', origin: 'o', at: 0, hops: 1, self: false };
const textOf = (e: EventOf<'chat.line'>): string => chatLine(e, 'me').line.spans.map((s) => s.text).join('');

describe('tui: signed chat lines', () => {
  it('marks a verified line with the start of the signer authority, and only that line', () => {
    const signed = textOf({ ...base, signedBy: 'cc5f6f91c04a24285dfd02934129ce80b3db388c' });
    expect(signed).toMatch(/ ✓cc5f6f91 <ann> hi$/);
    expect(textOf(base)).not.toContain('✓');
    expect(textOf({ ...base, kind: 'action', signedBy: 'ab'.repeat(20) })).toContain('✓abababab  * ann hi');
  });
});
