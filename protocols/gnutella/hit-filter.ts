import type { Descriptor } from './descriptor.js';
import type { ContentFilters } from './content-filters.js';
import { screenHit, type HitDropReason, type HitScreenContext } from './hit-screen.js';
import { decodeQueryHit, type QueryHit } from './query-hit.js';

/** What the filter needs to know about us. */
export interface HitFilterHost {
  readonly guid: Buffer;
  readonly port: number;
  /** Our address as we tell peers (our-address.ts). */
  readonly address: { readonly current: string | undefined };
  readonly filters: ContentFilters;
}

/**
 * Carries out hit-screen.ts for the message handler: decodes a QueryHit (one we
 * route too) and screens it, with one context object reused for every hit.
 */
export class HitFilter {
  readonly #c: HitScreenContext;

  constructor(private readonly s: HitFilterHost) {
    this.#c = {
      muid: Buffer.alloc(0),
      ourGuid: Buffer.alloc(0),
      ourIp: undefined,
      ourPort: 0,
      hostile: (ip) => s.filters.hostiles.has(ip),
      spamSha1: (h) => s.filters.spam.has(h),
    };
  }

  /** The decoded hit when it passes, else why it is dropped. */
  check(d: Descriptor): QueryHit | HitDropReason | 'malformed' {
    let hit: QueryHit;
    try {
      hit = decodeQueryHit(d.payload);
    } catch {
      return 'malformed';
    }
    const c = this.#c;
    c.muid = d.muid;
    c.ourGuid = this.s.guid;
    c.ourIp = this.s.address.current;
    c.ourPort = this.s.port;
    const v = screenHit(hit, c);
    return v.kind === 'pass' ? hit : v.reason;
  }
}
