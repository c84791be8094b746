/**
 * The one rule for remote text on a screen or in a log (README "Headless mode"): what a peer
 * sent is shown as it came, except what would act on the terminal or the reader instead of
 * being read. The TUI (tui/text-width.ts `sanitize`), headless text lines (src/event-text.ts)
 * and shown nicks (src/nick.ts `shownNick`) all go through it.
 */

/**
 * C0 and C1 controls (ESC would let a peer move the cursor or retitle the window; a newline
 * would forge a second line in an operator's log), bidi embeddings, overrides and isolates
 * (U+202A-202E, U+2066-2069: on a terminal that does bidi they turn the rest of the line
 * around, so `<bob> ` and a reversed text read as something else) and lone surrogates.
 * The marks LRM, RLM and ALM stay: right-to-left text needs them and they reorder nothing
 * past their own neighbours.
 */
// eslint-disable-next-line no-control-regex
const NEVER_SHOWN = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** Printable ASCII and nothing else: the common case, shown as it is. */
const PLAIN = /^[\x20-\x7e]*$/;

/** Remote text made safe to show: tabs become a space, and what NEVER_SHOWN names goes. */
export function shownText(s: string): string {
  if (PLAIN.test(s)) return s;
  return s.replace(/\t/g, ' ').replace(NEVER_SHOWN, '');
}
