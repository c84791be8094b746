/**
 * Events as the lines a person reads: headless mode without `--json` (README "Headless
 * mode"). One line per event; `--json` (src/event-json.ts) is the contract for scripts.
 */
import type { AppEvent } from './app-api.js';
import { plural } from './words.js';

/** Renders one event as a human-readable line (headless without --json). */
export function formatEvent(e: AppEvent): string {
  switch (e.type) {
    case 'ready':
      return `ready ${Object.entries(e.ports).map(([k, v]) => `${k}=${v}`).join(' ')}`;
    case 'chat.line': {
      const t = new Date(e.at).toISOString().slice(11, 16);
      if (e.kind === 'action') return `${t} * ${e.nick} ${e.text}`;
      if (e.kind === 'join') return `${t} --> ${e.nick} joined`;
      if (e.kind === 'part') return `${t} <-- ${e.nick} left${e.text ? ` (${e.text})` : ''}`;
      if (e.kind === 'nick') return `${t} --- ${e.nick} is now known as ${e.text}`;
      return `${t} <${e.nick}> ${e.text}`;
    }
    case 'peer.up':
      return `peer up ${e.protocol} ${e.address} (${e.direction})${e.nick ? ` ${e.nick}` : ''}`;
    case 'peer.down':
      // A duplicate closed on purpose lost nothing: said as such, not as a peer going down.
      if (e.reason.startsWith('DUPLICATE: ')) return `duplicate link ${e.protocol} ${e.address} (${e.direction}) closed: both nodes dialled at once; the other link stays`;
      return `peer down ${e.protocol} ${e.address} (${e.direction}): ${e.reason}`;
    case 'notice':
      return e.text;
    case 'error':
      return `error: ${e.message}`;
    case 'log':
      return `log ${e.level} [${e.scope}] ${e.message}`;
    case 'nick':
      return `you are now known as ${e.nick}`;
    case 'search.started':
      return `search ${e.search} started: "${e.query}" on ${e.protocols.join(', ')}`;
    case 'search.hit':
      return `#${e.n} ${e.name} (${e.size < 0 ? 'size unknown' : `${e.size} bytes`}) from ${e.source} [${e.protocol}]`;
    case 'search.done':
      return `search ${e.search} done on ${e.protocol}: ${e.hits} hits from ${e.peers} peers`;
    case 'transfer.progress':
      return `transfer ${e.id} ${e.name}: ${e.bytes}/${e.total ?? '?'} bytes at ${Math.round(e.rate)} B/s`;
    case 'transfer.queued':
      return `transfer ${e.id} queued: ${e.name} from ${e.peer} [${e.protocol}], position ${e.position}`;
    case 'transfer.done':
      return `transfer ${e.id} done: ${e.path} (${e.bytes} bytes${e.sha1 ? `, sha1 ${e.sha1}` : ''}${e.verified ? ', verified' : ', unverified'})`;
    case 'transfer.failed':
      return `transfer ${e.id} ${e.state}: ${e.reason}`;
    case 'share.ready':
      return `sharing ${plural(e.files, 'file')} (${plural(e.bytes, 'byte')})`;
    case 'share.hashed':
      return e.unhashed === 0
        ? `hashed ${e.files === 1 ? 'the 1 file' : `all ${e.files} files`} (${e.hashed} new) in ${e.ms} ms`
        : `hashed ${e.files - e.unhashed} of ${plural(e.files, 'file')} (${e.hashed} new) in ${e.ms} ms; ${e.unhashed} could not be hashed, /rescan tries again`;
    case 'prompt.secret':
      return `${e.plugin}: ${e.prompt}: headless mode cannot ask; ${e.hint}`;
    case 'near.person':
    case 'near.invitation':
      return e.text;
  }
}
