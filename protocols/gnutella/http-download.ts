import { Agent, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { systemClock, type Clock } from '../../src/clock.js';
import { NetError } from '../../src/errors.js';
import { base32Encode } from '../../src/share/base32.js';
import type { DownloadSource } from '../../src/transfer/transfer-types.js';
import { USER_AGENT } from './constants.js';
import { parseContentRange } from './http-range.js';
import { readBusy, SourceQueue } from './parq-download.js';

/** What a Gnutella hit's `ref` holds: enough to fetch it again after a restart. */
export interface GnutellaRef {
  ip: string;
  port: number;
  index: number;
  name: string;
  /** Lower-case hex SHA-1, when the hit carried one. */
  sha1?: string;
  /** Servent GUID (hex), for a push (part 2). */
  guid: string;
  /** The hit says a push is needed, or gave no flag and came from a private address. */
  firewalled: boolean;
  /** The holder's push proxies (`ip:port`, from the hit's GGEP `PUSH`, spec 4.3). */
  proxies?: string[];
}

/** Reads a ref back (it may come from a state file); undefined when it is not a Gnutella ref. */
export function parseGnutellaRef(ref: unknown): GnutellaRef | undefined {
  if (typeof ref !== 'object' || ref === null) return undefined;
  const r = ref as Record<string, unknown>;
  const ok =
    typeof r.ip === 'string' &&
    /^\d{1,3}(\.\d{1,3}){3}$/.test(r.ip) &&
    Number.isInteger(r.port) &&
    (r.port as number) > 0 &&
    (r.port as number) < 65_536 &&
    Number.isInteger(r.index) &&
    typeof r.name === 'string' &&
    typeof r.guid === 'string' &&
    typeof r.firewalled === 'boolean' &&
    (r.sha1 === undefined || (typeof r.sha1 === 'string' && /^[0-9a-f]{40}$/.test(r.sha1))) &&
    (r.proxies === undefined || (Array.isArray(r.proxies) && r.proxies.length <= 8 && r.proxies.every((p) => typeof p === 'string' && /^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(p))));
  return ok ? (r as unknown as GnutellaRef) : undefined;
}

/** Connect + answer timeout of one request. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Requests one download may make (512 KiB pieces: 2,000 covers 1 GiB, resumes start over). */
export const MAX_REQUESTS = 20_000;

/**
 * What a download source tells the alternate-location mesh (alt-loc-service.ts,
 * spec 5.2) and asks of it: headers for each request (the `X-Alt` we know),
 * each answer's headers (its `X-Alt`), and that it sent the whole file.
 */
export interface SourceHooks {
  requestHeaders(ref: GnutellaRef): Record<string, string>;
  /** `total`: the file's size when the answer said it (200, 206). */
  answered(ref: GnutellaRef, headers: IncomingHttpHeaders, total: number | undefined): void;
  /** It sent every byte we asked for. */
  served(ref: GnutellaRef): void;
}

interface Answer {
  res: IncomingMessage;
  start: number;
  end: number;
  total: number;
}

/**
 * A download from a Gnutella servent over HTTP (spec 5.1-5.2): N2R by SHA-1
 * first, `/get/<index>/<name>` when N2R is not found; a Range from the resume
 * offset; and further ranged requests on the same kept-alive connection until
 * the file is complete, since a servent may answer any request with a piece
 * (gtk-gnutella: 512 KiB, appendix 18). `connect`, for a firewalled holder,
 * gives an agent over the connection its push opened (PushService).
 * A `503` fails the open with a RemoteQueued (parq-download.ts: PARQ, LimeWire's
 * active queue, busy), and the next open quotes our place and comes no earlier
 * than the server said; `queue.node` gives our `X-Node` while we are reachable.
 */
export function httpSource(
  ref: GnutellaRef,
  connect?: (signal: AbortSignal) => Promise<Agent>,
  queue: { clock?: Clock; node?: () => string | undefined } = {},
  hooks?: SourceHooks,
): DownloadSource {
  const q = new SourceQueue(queue.clock ?? systemClock, queue.node);
  return {
    async open(offset, signal) {
      // A firewalled holder's connection is one it opens to us (a push, spec 4.4): `connect` waits for it.
      if (ref.firewalled && !connect) throw NetError.refused(`${ref.ip}:${ref.port} is firewalled: this download needs a push`);
      q.checkTime();
      const agent = connect ? await connect(signal) : (q.take() ?? new Agent({ keepAlive: true, maxSockets: 1 }));
      // An alternate location (index -1) is known by its SHA-1 alone.
      const paths = [...(ref.sha1 ? [`/uri-res/N2R?urn:sha1:${base32Encode(Buffer.from(ref.sha1, 'hex'))}`] : []), ...(ref.index >= 0 ? [`/get/${ref.index}/${encodeURIComponent(ref.name)}`] : [])];
      let path = paths[0]!;
      let first: Answer | undefined;
      for (const p of paths) {
        path = p;
        const a = await ask(ref, agent, p, offset, signal, q, hooks).catch((err: unknown) => {
          if (err instanceof NetError && err.code === 'NOT_FOUND' && p !== paths[paths.length - 1]) return undefined;
          if (err instanceof KeptForPoll) throw err.queued; // LimeWire's connection stays for the next poll
          agent.destroy();
          throw err;
        });
        if (a) {
          first = a;
          break;
        }
      }
      if (!first) {
        agent.destroy();
        throw NetError.notFound(`${ref.name} is not shared by ${ref.ip}:${ref.port}`);
      }
      const total = first.total;
      async function* body(a: Answer): AsyncGenerator<Buffer> {
        try {
          let answer = a;
          for (let n = 1; ; n++) {
            for await (const chunk of answer.res) yield chunk as Buffer;
            const next = answer.end + 1;
            if (next >= total) return hooks?.served(ref);
            if (n >= MAX_REQUESTS) throw NetError.limit('too many range requests for one download');
            answer = await ask(ref, agent, path, next, signal, q, hooks).catch((err: unknown) => Promise.reject(err instanceof KeptForPoll ? err.queued : err));
            if (answer.start !== next || answer.total !== total) throw NetError.badMessage(`servent answered bytes ${answer.start}-${answer.end}/${answer.total} for ${next}-`);
          }
        } finally {
          agent.destroy();
        }
      }
      return { stream: Readable.from(body(first), { objectMode: false }), start: first.start, total };
    },
  };
}

/** A LimeWire active-queue answer: its connection is kept in the SourceQueue for the next poll. */
class KeptForPoll {
  constructor(readonly queued: NetError) {}
}

/** One GET with `Range: bytes=from-`; resolves with the answer's range, or rejects with a NetError. */
function ask(ref: GnutellaRef, agent: Agent, path: string, from: number, signal: AbortSignal, q: SourceQueue, hooks?: SourceHooks): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: ref.ip,
      port: ref.port,
      path,
      agent,
      signal,
      timeout: REQUEST_TIMEOUT_MS,
      headers: { 'User-Agent': USER_AGENT, Range: `bytes=${from}-`, ...q.headers(), ...hooks?.requestHeaders(ref) },
    });
    req.on('timeout', () => req.destroy(NetError.timeout(`GET ${path}`, REQUEST_TIMEOUT_MS)));
    req.on('error', (err) => reject(err instanceof NetError ? err : NetError.socket(err)));
    req.on('response', (res) => {
      const fail = (err: NetError): void => {
        res.resume();
        reject(err);
      };
      const status = res.statusCode ?? 0;
      hooks?.answered(ref, res.headers, status === 200 ? Number(res.headers['content-length']) : status === 206 ? parseContentRange(res.headers['content-range'])?.total : undefined);
      if (status === 404 || status === 410) return fail(NetError.notFound(`${status} for ${path}`));
      if (status === 503) {
        const reply = readBusy(res.headers, `${ref.ip}:${ref.port}`);
        const queued = q.busy(reply);
        if (reply.pollMaxS === undefined) return fail(queued);
        q.hold(agent, reply.pollMaxS * 1000);
        res.resume();
        return reject(new KeptForPoll(queued));
      }
      if (status === 200) {
        const len = Number(res.headers['content-length']);
        if (!Number.isSafeInteger(len) || len < 0) return fail(NetError.badMessage('200 without a Content-Length'));
        return resolve({ res, start: 0, end: len - 1, total: len });
      }
      if (status === 206) {
        const cr = parseContentRange(res.headers['content-range']);
        if (!cr || cr.total === undefined || cr.end >= cr.total) return fail(NetError.badMessage(`bad Content-Range ${res.headers['content-range'] ?? '(none)'}`));
        if (cr.start > from) return fail(NetError.badMessage(`asked from ${from}, got ${cr.start}`));
        return resolve({ res, start: cr.start, end: cr.end, total: cr.total });
      }
      fail(NetError.refused(`HTTP ${status} for ${path}`));
    });
    req.end();
  });
}
