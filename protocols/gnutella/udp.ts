import type { Logger } from '../../src/log.js';
import type { UdpEndpoint, UdpPeer } from '../../src/net/udp-endpoint.js';
import type { HostCache } from '../../src/peers/host-cache.js';
import { DESCRIPTOR_PING, DESCRIPTOR_PONG, GGEP_IPP, GGEP_SCP, HEADER_BYTES } from './constants.js';
import { checkLength, encodeDescriptor, type Descriptor } from './descriptor.js';
import { GenerationMap } from './generation-map.js';
import { ggepGet } from './ggep.js';
import { unpackHosts } from './ipv4.js';
import { decodePong, encodePing } from './pong.js';
import { newGuid } from './servent-guid.js';

/** A UDP host cache is not asked again sooner than this (spec 8: 180 s). */
export const UHC_RECONTACT_MS = 180_000;
/** Hosts taken from one UHC pong. */
export const MAX_UHC_HOSTS = 50;
/** SCP flag: "I want ultrapeers" (spec 2.6). */
const SCP_WANT_ULTRAPEERS = 0x01;

/** Parses one datagram as exactly one descriptor (spec 2.1: the same header over UDP), or undefined. */
export function parseDatagram(msg: Buffer): Descriptor | undefined {
  if (msg.length < HEADER_BYTES) return undefined;
  const length = msg.readUInt32LE(19);
  try {
    checkLength(msg[16]!, length);
  } catch {
    return undefined;
  }
  if (length !== msg.length - HEADER_BYTES) return undefined;
  return { muid: msg.subarray(0, 16), type: msg[16]!, ttl: msg[17]!, hops: msg[18]!, payload: msg.subarray(HEADER_BYTES) };
}

/**
 * Gnutella over UDP on our port number (issue 10, spec 8): pings answered with
 * our pong, and UDP host caches asked for ultrapeers (a Ping with GGEP `SCP`,
 * answered by a Pong whose `IPP` lists hosts) when the host cache is empty.
 */
export class GnutellaUdp {
  readonly #asked = new Map<string, number>();
  readonly #pending: GenerationMap<string, string>;
  learned = 0;

  constructor(
    private readonly ep: UdpEndpoint,
    private readonly hosts: HostCache,
    private readonly ourPong: () => Buffer,
    private readonly now: () => number,
    private readonly log: Logger,
    /** Hostile addresses are not cached (hostiles.ts). */
    private readonly hostile: (ip: string) => boolean = () => false,
  ) {
    this.#pending = new GenerationMap({ maxPerGeneration: 256, generationMs: UHC_RECONTACT_MS, now });
  }

  onDatagram(msg: Buffer, from: UdpPeer): void {
    const d = parseDatagram(msg);
    if (!d || d.ttl === 0) return;
    if (d.type === DESCRIPTOR_PING) {
      this.ep.send(encodeDescriptor({ muid: d.muid, type: DESCRIPTOR_PONG, ttl: 1, hops: 0, payload: this.ourPong() }), from.address, from.port);
      return;
    }
    if (d.type !== DESCRIPTOR_PONG) return;
    const cache = this.#pending.get(d.muid.toString('hex'));
    if (cache === undefined) return;
    const pong = decodePong(d.payload);
    const ipp = ggepGet(pong.ggep, GGEP_IPP);
    const hosts = ipp ? unpackHosts(ipp.subarray(0, ipp.length - (ipp.length % 6)), MAX_UHC_HOSTS) : [];
    let n = 0;
    for (const h of hosts) if (h.port > 0 && h.ip !== '0.0.0.0' && !this.hostile(h.ip) && this.hosts.add(`${h.ip}:${h.port}`)) n++;
    this.learned += n;
    this.log.info(`gnutella: host cache ${cache} gave ${hosts.length} hosts (${n} new)`);
  }

  /** Asks each bootstrap UDP host cache not asked in the last 180 s; returns how many were asked. */
  bootstrap(caches: readonly string[]): number {
    let n = 0;
    const now = this.now();
    for (const c of caches) {
      const last = this.#asked.get(c);
      if (last !== undefined && now - last < UHC_RECONTACT_MS) continue;
      const colon = c.lastIndexOf(':');
      const host = c.slice(0, colon).replace(/^\[|\]$/g, '');
      const port = Number(c.slice(colon + 1));
      const muid = newGuid();
      const ping = encodeDescriptor({ muid, type: DESCRIPTOR_PING, ttl: 1, hops: 0, payload: encodePing([{ id: GGEP_SCP, data: Buffer.from([SCP_WANT_ULTRAPEERS]) }]) });
      if (!this.ep.send(ping, host, port)) continue;
      this.#asked.set(c, now);
      this.#pending.set(muid.toString('hex'), c);
      n++;
    }
    return n;
  }
}
