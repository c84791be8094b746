import type { IncomingMessage, ServerResponse } from 'node:http';
import * as C from './constants.js';
import type { Descriptor } from './descriptor.js';
import type { LocalInfo, Role } from './handshake.js';
import type { GnutellaLink } from './link.js';
import { encodePush } from './push.js';
import { parsePushProxyRequest, PUSH_PROXY_BAD, PUSH_PROXY_BUSY, PUSH_PROXY_GONE, PUSH_PROXY_SENT } from './push-proxy-http.js';
import { encodePushProxyAck } from './push-vendor.js';
import { RequestRate } from './request-rate.js';
import { normalizeIp } from '../../src/net/address.js';
import { newGuid } from './servent-guid.js';

/** What the push-proxy side needs from the servent. */
export interface ProxyHost {
  readonly local: LocalInfo;
  /** Our role now (it changes in auto mode, spec 3.1). */
  readonly role: Role;
  readonly opts: { pushProxy?: boolean };
  openLinks(role?: Role): readonly GnutellaLink[];
  send(l: GnutellaLink, d: Descriptor): void;
}

/**
 * Our ultrapeer as its leaves' push proxy (spec 4.3): a leaf's `LIME/21v1`
 * (MUID = its servent GUID) is answered with `LIME/22v2` and our address; a
 * routed Push for that GUID goes down the leaf's link; the HTTP endpoint
 * `/gnutella/push-proxy?ServerId=...` (and its other spellings) sends the leaf
 * a Push to the `X-Node` address. One GUID per leaf link, forgotten with the
 * link, so the table is bounded by our leaf slots. Requests are rate-limited
 * per address (429).
 */
export class PushProxyService {
  /** Servent GUID (hex) -> leaf link id, and back. */
  readonly #byGuid = new Map<string, number>();
  readonly #byLink = new Map<number, string>();
  served = 0;
  gone = 0;
  bad = 0;
  limited = 0;
  /** Push-proxy requests per requesting address (each one makes a leaf connect somewhere). */
  readonly #rate = new RequestRate();

  constructor(
    private readonly s: ProxyHost,
    private readonly now: () => number,
  ) {}

  /** `LIME/21v1` on a link: ack it when we are an ultrapeer serving as push proxy and know our address. */
  onRequest(l: GnutellaLink, muid: Buffer): 'acked' | 'ignored' | 'no-address' {
    if (this.s.role !== 'ultrapeer' || l.role !== 'leaf' || this.s.opts.pushProxy === false) return 'ignored';
    const me = this.s.local.listen;
    if (!me) return 'no-address';
    const guid = muid.toString('hex');
    this.#forgetLink(l.id);
    this.#byGuid.set(guid, l.id);
    this.#byLink.set(l.id, guid);
    this.s.send(l, { muid, type: C.DESCRIPTOR_VENDOR, ttl: 1, hops: 0, payload: encodePushProxyAck(me.ip, me.port) });
    return 'acked';
  }

  onClose(l: GnutellaLink): void {
    this.#forgetLink(l.id);
  }

  #forgetLink(id: number): void {
    const g = this.#byLink.get(id);
    if (g === undefined) return;
    this.#byLink.delete(id);
    if (this.#byGuid.get(g) === id) this.#byGuid.delete(g);
  }

  /** The leaf link for a servent GUID we are push proxy for. */
  leafFor(serventGuid: Buffer): number | undefined {
    return this.#byGuid.get(serventGuid.toString('hex'));
  }

  get leaves(): number {
    return this.#byGuid.size;
  }

  /**
   * The push-proxy HTTP endpoint (spec 4.3): returns false when the request is
   * not for it. 202 once the Push went to the leaf, 410 when that servent is
   * not our leaf, 400 when malformed.
   */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    const r = parsePushProxyRequest(req.url ?? '', req.headers['x-node']);
    if (!r) return false;
    const answer = (status: number, text: string): void => {
      res.writeHead(status, text, { Server: C.USER_AGENT, 'Content-Length': '0' });
      res.end();
    };
    if (!this.#rate.take(normalizeIp(req.socket.remoteAddress), this.now())) {
      this.limited++;
      answer(PUSH_PROXY_BUSY, 'Too Many Requests');
      return true;
    }
    if (r.kind === 'bad') {
      this.bad++;
      answer(PUSH_PROXY_BAD, `Bad Request: ${r.why}`);
      return true;
    }
    const id = this.#byGuid.get(r.guid.toString('hex'));
    const leaf = this.s.openLinks('leaf').find((l) => l.id === id);
    if (!leaf) {
      this.gone++;
      answer(PUSH_PROXY_GONE, 'Push Proxy: Servent not connected');
      return true;
    }
    this.served++;
    this.s.send(leaf, { muid: newGuid(), type: C.DESCRIPTOR_PUSH, ttl: 1, hops: 0, payload: encodePush({ serventGuid: r.guid, index: r.index, ip: r.node.ip, port: r.node.port }) });
    answer(PUSH_PROXY_SENT, 'Push Proxy: Message Sent');
    return true;
  }

  /** For `/gstatus`. */
  statusText(): string {
    return `push proxy for ${this.leaves} leaves (served ${this.served}, gone ${this.gone}, bad ${this.bad}, over the rate ${this.limited})`;
  }
}
