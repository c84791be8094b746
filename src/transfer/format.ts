import { basename } from 'node:path';
import { reasonWords } from '../error-words.js';
import { formatRate, formatSize, remoteWords } from '../words.js';
import type { TransferInfo } from './transfer-types.js';

/** One `/downloads` line: `#3 down 45% 1.2 MiB/2.6 MiB 320 KiB/s active song.mp3 <- 127.0.0.1:6002`. */
export function formatTransfer(t: TransferInfo): string {
  const pct = t.total === null ? '?%' : t.total === 0 ? (t.state === 'done' ? '100%' : '0%') : `${Math.floor((t.bytes / t.total) * 100)}%`;
  const size = `${formatSize(t.bytes)}/${t.total === null ? '?' : formatSize(t.total)}`;
  const rate = t.state === 'active' ? ` ${formatRate(t.rate)}` : '';
  const arrow = t.direction === 'down' ? '<-' : '->';
  // In the words the transfer's failed line said it (`the peer is not answering (connection
  // refused)`; the row said `SOCKET: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:7002`).
  const words = t.reason && t.state !== 'done' ? reasonWords(t.reason, 'the peer') : '';
  const why =
    words !== ''
      ? t.state === 'cancelled' && words === 'cancelled'
        ? ''
        : ` (${words})`
      : t.remote !== undefined && t.state === 'queued'
        ? ` (${remoteWords(t.remote)})`
        : t.sameAs !== undefined
        ? ` (same content as #${t.sameAs}: copied from it when it is done)`
        : t.state === 'done' && t.verified === false
          ? ' (unverified)'
          : '';
  // A download saved under another name than the remote one (`song (1).mp3`, a name made safe) says which file it is.
  const local = t.direction === 'down' && t.state === 'done' && t.path !== null ? basename(t.path) : t.name;
  const saved = local !== t.name ? ` (saved as ${local})` : '';
  return `#${t.id} ${t.direction} ${pct} ${size}${rate} ${t.state} ${t.name}${saved} ${arrow} ${t.peer} [${t.protocol}]${why}`;
}
