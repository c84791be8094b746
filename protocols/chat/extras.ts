/**
 * What issue 14 adds to a chat node, built in one place so the ChatService only holds them:
 * the wire extensions with signed lines (extensions.ts), peer names (names/), and People
 * Near Me (near-me.ts). A classic node (`classic: true`) gets none of them.
 */
import { NetError } from '../../src/errors.js';
import type { PluginContext } from '../../src/plugin.js';
import { ANNOUNCE_INTERVAL_MS } from './constants.js';
import type { Contacts } from './contacts.js';
import { Discovery, type Announcement, type DiscoveryOptions } from './discovery.js';
import { ChatExtensions } from './extensions.js';
import type { Flooder } from './flooder.js';
import type { Identity } from './identity.js';
import type { Link } from './link.js';
import { listeningEndpoints } from './names/endpoints.js';
import { NameService } from './names/name-service.js';
import { NearMe } from './near-me.js';
import type { ResolvedChatOptions } from './options.js';

/** The extensions and the name service of a node; both undefined for a classic node. */
export function createExtras(
  o: ResolvedChatOptions,
  ctx: PluginContext,
  identity: Identity,
  flooder: Flooder,
  extendedLinks: () => Iterable<Link>,
  resume: (link: Link) => void,
): { ext: ChatExtensions | undefined; names: NameService | undefined } {
  if (o.classic) return { ext: undefined, names: undefined };
  const names = new NameService({
    identity,
    clock: ctx.clock,
    hops: o.hops,
    ttlMs: o.names.ttlMs,
    resolveMs: o.names.resolveMs,
    ringHops: o.names.ringHops,
    ringMs: o.names.ringMs,
    links: extendedLinks,
    endpoints: () => listeningEndpoints(ctx.net.groups(), o.host),
  });
  const ext = new ChatExtensions({
    identity,
    sign: o.sign,
    requireSigned: o.requireSigned,
    maxAgeMs: o.seenTtlMs,
    clock: ctx.clock,
    flooder,
    other: (l, verb, rest) => names.line(l, verb, rest),
    resume,
  });
  return { ext, names };
}

/** People Near Me over a node's discovery socket (created before it, so it takes a getter). */
export function createNearMe(
  o: ResolvedChatOptions,
  ctx: PluginContext,
  ext: ChatExtensions,
  contacts: Contacts,
  nick: () => string,
  discovery: () => Discovery,
): NearMe {
  const endpoints = (): string[] => listeningEndpoints(ctx.net.groups(), o.host);
  return new NearMe({
    identity: ext.identity,
    contacts,
    clock: ctx.clock,
    node: o.nodeId,
    nick,
    friendly: o.friendly ?? nick(),
    protocols: () => [...new Set(endpoints().map((e) => e.slice(0, e.indexOf('@')).replace(/-.*/, '')))],
    endpoints,
    acceptFrom: o.acceptFrom,
    expireMs: (o.discovery?.intervalMs ?? ANNOUNCE_INTERVAL_MS) * 3,
    send: (d) => discovery().send(d),
    notice: (text) => ctx.emit({ type: 'notice', protocol: 'chat', text }),
    event: (e) => ctx.emit(e),
    run: (plugin, command, args) => ctx.run(plugin, command, args),
  });
}

/**
 * Starts LAN discovery on `port` (and People Near Me over it when on): offers found nodes
 * to `offer`. A discovery socket that cannot open is not fatal: `failed` says why, and the
 * node runs without it.
 */
export async function startDiscovery(
  o: ResolvedChatOptions & { discovery: DiscoveryOptions },
  ctx: PluginContext,
  port: number,
  with_: { ext: ChatExtensions | undefined; contacts: Contacts; nick: () => string; offer: (addr: string) => void; failed: (err: NetError) => void },
): Promise<{ discovery: Discovery | undefined; near: NearMe | undefined }> {
  const near = o.nearMe && with_.ext ? createNearMe(o, ctx, with_.ext, with_.contacts, with_.nick, () => d) : undefined;
  const self = (): Announcement => ({ node: o.nodeId, mesh: o.mesh, port, nick: with_.nick() });
  const d: Discovery = new Discovery(o.discovery, self, with_.offer, (err) => ctx.log.warn(`discovery: ${err.message}`), ctx.clock, near);
  try {
    await d.start();
    return { discovery: d, near };
  } catch (err) {
    await d.stop();
    with_.failed(new NetError('SOCKET', `LAN discovery is off: ${err instanceof Error ? err.message : String(err)}`));
    return { discovery: undefined, near };
  }
}
