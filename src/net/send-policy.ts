/**
 * What happens to bytes a link is asked to send, given what it already holds
 * (README "How it is built", "One backpressure policy"): droppable traffic (pings, relayed chat when a peer
 * is behind) is dropped above the high watermark; anything that would pass
 * the hard cap is refused, and for precious traffic that means the peer is a
 * slow consumer and the link is cut. Pure: Connection carries it out.
 */
import type { QueueLimits } from './connection-types.js';

export type SendVerdict = 'send' | 'drop' | 'cut';

export function decideSend(queued: number, len: number, droppable: boolean, q: QueueLimits): SendVerdict {
  if (droppable && queued >= q.highWater) return 'drop';
  if (queued + len > q.hardCap) return droppable ? 'drop' : 'cut';
  return 'send';
}
