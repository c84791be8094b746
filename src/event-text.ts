/**
 * Events as the lines a person reads: headless mode without `--json` (README "Headless
 * mode"). One line per event; `--json` (src/event-json.ts) is the contract for scripts.
 * Every line goes through the rule for remote text (src/shown-text.ts), as the TUI's do: a
 * peer's bidi override or escape sequence is not passed on to an operator's terminal or log.
 */
import type { AppEvent, EventOf } from './app-api.js';
import { errorMessageWords, reasonWords } from './error-words.js';
import { shownText } from './shown-text.js';
import { formatEta, formatRate, formatSize, hashedWords, linkCommand, plural, remoteWords, sharingWords } from './words.js';

/** Renders one event as a human-readable line (headless without --json). */
export function formatEvent(e: AppEvent): string {
  return shownText(eventText(e));
}

function eventText(e: AppEvent): string {
  switch (e.type) {
    case 'ready': {
      const ports = Object.entries(e.ports).map(([k, v]) => `${k}=${v}`);
      return ports.length === 0 ? 'ready (no listening ports)' : `ready ${ports.join(' ')}`;
    }
    case 'chat.line': {
      const t = new Date(e.at).toISOString().slice(11, 16);
      if (e.kind === 'action') return `${t} * ${e.nick} ${e.text}`;
      // Our own JOIN goes out with our first link: said as ours (it read `--> alice joined` on alice's node).
      if (e.kind === 'join') return e.self ? `${t} --> you joined the mesh as ${e.nick}` : `${t} --> ${e.nick} joined`;
      if (e.kind === 'part') return `${t} <-- ${e.nick} left${e.text ? ` (${e.text})` : ''}`;
      if (e.kind === 'nick') return `${t} --- ${e.nick} is now known as ${e.text}`;
      return `${t} <${e.nick}> ${e.text}`;
    }
    case 'peer.up':
      return `peer up ${e.protocol} ${e.address} (${e.direction})${e.nick ? ` ${e.nick}` : ''}`;
    case 'peer.down':
      // A duplicate closed on purpose lost nothing: said as such, not as a peer going down.
      if (e.reason.startsWith('DUPLICATE: ')) return `duplicate link ${e.protocol} ${e.address} (${e.direction}) closed: both nodes dialled at once; the other link stays`;
      // In words, as the TUI says it (`--json` keeps `CODE: message`).
      return `peer down ${e.protocol} ${e.address} (${e.direction}): ${reasonWords(e.reason, 'the peer')}`;
    case 'notice':
      return e.text;
    case 'error':
      return `error: ${errorMessageWords(e.message)}`;
    case 'log':
      return `log ${e.level} [${e.scope}] ${e.message}`;
    case 'nick':
      return `you are now known as ${e.nick}`;
    case 'search.started':
      return `search ${e.search} started: "${e.query}" on ${e.protocols.length === 0 ? 'no protocol' : e.protocols.join(', ')}`;
    case 'search.hit':
      // Sizes as the Results window shows them (it said `(3000000 bytes)`).
      return `#${e.n} ${e.name} (${e.size < 0 ? 'size unknown' : formatSize(e.size)}) from ${e.source} [${e.protocol}]`;
    case 'search.done':
      // Reaching nobody is said as such, as the TUI does (it read "0 hits from 0 peers").
      if (e.peers === 0 && e.hits === 0) return `search ${e.search} done on ${e.protocol}: reached no peer (no ${e.protocol} peer answered: ${linkCommand([e.protocol])} links one)`;
      return `search ${e.search} done on ${e.protocol}: ${plural(e.hits, 'hit')} from ${plural(e.peers, 'peer')}`;
    case 'transfer.progress':
      return progressText(e);
    case 'transfer.queued':
      // Waiting for its source (a remote queue, a busy servent): what it said and when we ask again.
      if (e.remote) return `transfer ${e.id} queued: ${e.name} from ${e.peer} [${e.protocol}]: ${remoteWords(e.remote)}`;
      // The place in the queue as the TUI says it (it said `position 1`).
      return `transfer ${e.id} queued: ${e.name} ${e.direction === 'down' ? 'from' : 'to'} ${e.peer} [${e.protocol}], #${e.position} in the queue`;
    case 'transfer.done':
      return doneText(e);
    case 'transfer.failed':
      return failedText(e);
    case 'share.ready':
      return sharingWords(e.files, e.bytes, e.folders);
    case 'share.hashed':
      // The TUI's Log says the same line (it said `3 of 3 files hashed (3 new) in 1.3 s` there and `... in 1250 ms` here).
      return hashedWords(e);
    case 'prompt.secret':
      return `${e.plugin}: ${e.prompt}: headless mode cannot ask; ${e.hint}`;
    case 'near.person':
    case 'near.invitation':
      return e.text;
  }
}

/**
 * `transfer 3 receiving song.mp3 from 10.0.0.1:7000: 1.2 MiB of 2.6 MiB (46%) at 320 KiB/s, 5s
 * left`: sizes and rate as `/downloads` and the TUI say them (src/words.ts), and who the other
 * side is (an upload has no `queued` line that would say it); `--json` keeps the byte counts.
 */
function progressText(e: EventOf<'transfer.progress'>): string {
  const verb = e.direction === 'down' ? `receiving ${e.name} from ${e.peer}` : `sending ${e.name} to ${e.peer}`;
  const done = formatSize(e.bytes);
  const of =
    e.total === null ? `${done} so far` : `${done} of ${formatSize(e.total)}${e.total > 0 ? ` (${Math.floor((e.bytes / e.total) * 100)}%)` : ''}`;
  // A rate of 0 is one not measured yet (the first line of a resumed download), not a stall.
  const rate = e.rate > 0 ? ` at ${formatRate(e.rate)}` : '';
  const left = e.eta === null ? '' : `, ${formatEta(e.eta)} left`;
  return `transfer ${e.id} ${verb}: ${of}${rate}${left}`;
}

/** A download says where the file is now; an upload who got which file (they used to read alike). */
function doneText(e: EventOf<'transfer.done'>): string {
  if (e.direction === 'up') return `transfer ${e.id} done: sent ${e.name} to ${e.peer} (${formatSize(e.bytes)} from ${e.path})`;
  const check = e.verified ? `${e.sha1 ? `sha1 ${e.sha1}, ` : ''}verified` : 'unverified: size and SHA-1 not checked';
  return `transfer ${e.id} done: ${e.name} from ${e.peer} saved as ${e.path} (${formatSize(e.bytes)}, ${check})`;
}

/** The file, and why in words (`--json` keeps the `CODE: message` reason); a failed download says /retry. */
function failedText(e: EventOf<'transfer.failed'>): string {
  const what = e.direction === 'down' ? e.name : `sending ${e.name}`;
  if (e.state === 'cancelled') {
    // `/cancel N` needs no reason; shutting down and the like are said.
    const why = reasonWords(e.reason);
    return `transfer ${e.id} cancelled: ${what}${why === 'cancelled' ? '' : ` (${why})`}`;
  }
  const why = reasonWords(e.reason, 'the peer');
  // Said once: an INCOMPLETE reason says `(part kept for /retry)` itself.
  const retry = e.direction === 'down' && !why.includes('/retry') ? `; /retry ${e.id} tries again` : '';
  return `transfer ${e.id} failed: ${what}: ${why}${retry}`;
}
