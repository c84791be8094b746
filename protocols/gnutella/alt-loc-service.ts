/**
 * Alternate locations at work (spec 5.2), as gtk-gnutella's download mesh
 * works: our upload answers carry `X-Alt` (where else the file is) and read
 * the downloader's `X-Alt`; our download requests carry `X-Alt` and `X-Nalt`,
 * and each location an answer names becomes another source of the running
 * download of that SHA-1 (TransferEngine.addSource), tried when the current
 * one fails. A location is only sent to, and only believed from, a peer that
 * can reach it (alt-loc-header.ts `sameReach`); ours and the peer's own are
 * never sent to it.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { normalizeIp } from '../../src/net/address.js';
import type { FileHit } from '../../src/search/file-protocol.js';
import type { DownloadRequest, DownloadSource } from '../../src/transfer/transfer-types.js';
import { addressScope, formatAltHeader, locationIp, MAX_ALT_SENT, parseAltHeader, parseLongAltHeader, sameReach } from './alt-loc-header.js';
import { AltLocs } from './alt-locs.js';
import { httpSource, parseGnutellaRef, type GnutellaRef, type SourceHooks } from './http-download.js';

/** How a download source queues (http-download.ts `httpSource`'s `queue`). */
type SourceQueueOptions = NonNullable<Parameters<typeof httpSource>[2]>;

/** Locations one download source offers its download (its answers repeat them): more are not offered. */
export const MAX_OFFERED_PER_SOURCE = 64;

/** Failures that make a location bad for a file: it had no such file, could not be reached, broke the answer or sent wrong bytes. */
const BAD: ReadonlySet<string> = new Set(['NOT_FOUND', 'SOCKET', 'BAD_MESSAGE', 'SIZE', 'PROTOCOL', 'VERIFY']);

/** What the service needs of the servent. */
export interface AltLocDeps {
  /** Our Gnutella port and our address as we tell peers (if known): never sent as a location, never a source. */
  self(): { port: number; ip?: string };
  /** The transfer engine's `addSource`: undefined when no download of that file runs (or it has the source). */
  addSource(req: DownloadRequest): number | undefined;
}

export class AltLocService {
  readonly mesh: AltLocs;
  readonly #deps: AltLocDeps;

  constructor(deps: AltLocDeps, mesh = new AltLocs()) {
    this.#deps = deps;
    this.mesh = mesh;
  }

  /**
   * Headers of our answer to a request for `sha1` (hex): first the request's own
   * `X-Alt`/`X-Nalt` are taken in, then up to 10 good locations the downloader
   * can reach go out as `X-Alt` (none it just named, nor its own), and any it
   * named that we found bad go out as `X-Nalt`.
   */
  answerHeaders(sha1: string, req: IncomingMessage): Record<string, string> {
    const peerIp = normalizeIp(req.socket.remoteAddress);
    const localIp = normalizeIp(req.socket.localAddress);
    const told = new Set(this.#take(sha1, peerIp, localIp, req.headers));
    const out: Record<string, string> = {};
    const good = this.mesh.good(sha1, MAX_ALT_SENT, (loc) => !told.has(loc) && this.#sendable(loc, peerIp, localIp));
    if (good.length > 0) out['X-Alt'] = formatAltHeader(good);
    const bad = [...told].filter((loc) => this.mesh.isBad(sha1, loc));
    if (bad.length > 0) out['X-Nalt'] = formatAltHeader(bad);
    return out;
  }

  /** One of our search hits: a direct (not firewalled) holder of a SHA-1 is a location of it. */
  heardHit(hit: FileHit): void {
    const ref = parseGnutellaRef(hit.ref);
    if (!ref?.sha1 || ref.firewalled || addressScope(ref.ip) === 'none' || this.#isSelf(`${ref.ip}:${ref.port}`)) return;
    this.mesh.heard(ref.sha1, `${ref.ip}:${ref.port}`);
  }

  /**
   * A download source over HTTP that tells the mesh and feeds its download with the
   * locations answers name (their sources queue as this one does: `queue`, http-download.ts);
   * when the download fails with it (the engine says so, a wrong SHA-1 included), it is bad
   * for that file.
   */
  source(ref: GnutellaRef, queue: SourceQueueOptions = {}): DownloadSource {
    const http = httpSource(ref, undefined, queue, this.#hooks(queue));
    return {
      open: (offset, signal) => http.open(offset, signal),
      failed: (err) => {
        if (ref.sha1 && BAD.has(err.code)) this.mesh.failed(ref.sha1, `${ref.ip}:${ref.port}`);
      },
    };
  }

  #hooks(queue: SourceQueueOptions): SourceHooks {
    const offered = new Set<string>();
    let size: number | undefined;
    return {
      requestHeaders: (ref) => (ref.sha1 ? this.#requestHeaders(ref.sha1, ref) : {}),
      answered: (ref, headers, total) => {
        if (!ref.sha1) return;
        if (total !== undefined && Number.isSafeInteger(total)) size = total;
        offered.add(`${ref.ip}:${ref.port}`);
        for (const loc of this.#take(ref.sha1, ref.ip, undefined, headers)) {
          if (offered.size >= MAX_OFFERED_PER_SOURCE || offered.has(loc) || this.mesh.isBad(ref.sha1, loc)) continue;
          offered.add(loc);
          this.#deps.addSource(this.#request(ref, loc, size, queue));
        }
      },
      served: (ref) => {
        if (ref.sha1) this.mesh.served(ref.sha1, `${ref.ip}:${ref.port}`);
      },
    };
  }

  /** `X-Alt` (good locations the target can reach, not itself) and `X-Nalt` (bad ones) of our request to `to`. */
  #requestHeaders(sha1: string, to: GnutellaRef): Record<string, string> {
    const target = `${to.ip}:${to.port}`;
    const keep = (loc: string): boolean => loc !== target && this.#sendable(loc, to.ip, undefined);
    const out: Record<string, string> = {};
    const good = this.mesh.good(sha1, MAX_ALT_SENT, keep);
    if (good.length > 0) out['X-Alt'] = formatAltHeader(good);
    const bad = this.mesh.bad(sha1, MAX_ALT_SENT, keep);
    if (bad.length > 0) out['X-Nalt'] = formatAltHeader(bad);
    return out;
  }

  /**
   * Takes in the locations a peer at `peerIp` names for `sha1`: `X-Alt` and the
   * long form as heard (those it can reach, not ours), `X-Nalt` as dropped.
   * Returns the good ones it named.
   */
  #take(sha1: string, peerIp: string, localIp: string | undefined, h: IncomingHttpHeaders): string[] {
    const fits = (loc: string): boolean => sameReach(locationIp(loc), peerIp) && !this.#isSelf(loc, localIp);
    for (const loc of parseAltHeader(h['x-nalt'])) this.mesh.dropped(sha1, loc);
    const named = [...parseAltHeader(h['x-alt']), ...parseLongAltHeader(h['x-gnutella-alternate-location'], sha1)].filter(fits);
    for (const loc of named) this.mesh.heard(sha1, loc);
    return named;
  }

  /** A location we may tell a peer at `peerIp`: one it can reach, not ours, not its own host (unless on loopback, where many servents share one IP). */
  #sendable(loc: string, peerIp: string, localIp: string | undefined): boolean {
    const ip = locationIp(loc);
    if (!sameReach(ip, peerIp) || this.#isSelf(loc, localIp)) return false;
    return ip !== peerIp || addressScope(ip) === 'loopback';
  }

  /** Our own listening address, by our port on our known IP, the socket's local IP, or loopback. */
  #isSelf(loc: string, localIp?: string): boolean {
    const { port, ip } = this.#deps.self();
    if (!loc.endsWith(`:${port}`)) return false;
    const host = locationIp(loc);
    return host === ip || host === localIp || addressScope(host) === 'loopback';
  }

  /** A download request for `loc` as another source of the file `ref` is a source of. */
  #request(ref: GnutellaRef, loc: string, size: number | undefined, queue: SourceQueueOptions): DownloadRequest {
    const alt: GnutellaRef = { ip: locationIp(loc), port: Number(loc.slice(loc.lastIndexOf(':') + 1)), index: -1, name: ref.name, guid: '', firewalled: false, ...(ref.sha1 ? { sha1: ref.sha1 } : {}) };
    return { name: ref.name, peer: loc, protocol: 'gnutella', source: this.source(alt, queue), size: size ?? null, ...(ref.sha1 ? { sha1: ref.sha1 } : {}), ref: alt };
  }
}
