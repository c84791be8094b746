import { request } from 'node:http';
import { OUR_VENDOR, USER_AGENT } from './constants.js';

/** Most bytes read from one web cache answer; the rest is cut off (hostile input). */
export const GWC_MAX_BYTES = 64 * 1024;
/** Most hosts taken from one answer (GTKG parses up to 500 from its GHC). */
export const GWC_MAX_HOSTS = 200;
/** Whole request (connect, headers, body) must finish in this time (GTKG: 20 s for host caches). */
export const GWC_TIMEOUT_MS = 20_000;
/** A cache is asked at most this often. */
export const GWC_RECONTACT_MS = 180_000;
/** Our client version as GWebCaches want it. */
const GWC_VERSION = '0.1';

/** Whether a `--gnutella-bootstrap` value names an HTTP web cache rather than a UDP host cache. */
export function isWebCache(v: string): boolean {
  return /^http:\/\//i.test(v);
}

/** The request URL (spec 8): GWebCache v2 `get=1&net=gnutella`, v1 `hostfile=1`, and who we are. */
export function gwcRequestUrl(base: string): URL {
  const u = new URL(base);
  u.searchParams.set('get', '1');
  u.searchParams.set('hostfile', '1');
  u.searchParams.set('net', 'gnutella');
  u.searchParams.set('client', OUR_VENDOR);
  u.searchParams.set('version', GWC_VERSION);
  return u;
}

/**
 * The hosts in a web cache answer (spec 8): v2 `H|ip:port|age` lines and v1 /
 * GHC lines of a bare `ip:port`; `U|`, `I|`, `ERROR` and anything else are
 * ignored. Only IPv4 with a port of 1..65535; at most `max`, each once.
 */
export function parseGwcAnswer(text: string, max = GWC_MAX_HOSTS): string[] {
  const out = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    if (out.size >= max) break;
    const line = raw.trim();
    const field = /^h\|/i.test(line) ? line.split('|')[1] ?? '' : line;
    const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(field.trim());
    if (!m || m[1]!.split('.').some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) continue;
    const port = Number(m[2]);
    if (port < 1 || port > 65_535 || m[1] === '0.0.0.0') continue;
    out.add(`${m[1]}:${port}`);
  }
  return [...out];
}

/** Asks one web cache for hosts: bounded in bytes and time; resolves [] on any failure, with why. */
export function queryWebCache(base: string, timeoutMs = GWC_TIMEOUT_MS): Promise<{ hosts: string[]; error?: string }> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = gwcRequestUrl(base);
    } catch {
      resolve({ hosts: [], error: 'not a URL' });
      return;
    }
    let done = false;
    const finish = (r: { hosts: string[]; error?: string }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const req = request(url, { headers: { 'User-Agent': USER_AGENT, Connection: 'close' }, agent: false }, (res) => {
      if (res.statusCode !== 200) return finish({ hosts: [], error: `HTTP ${res.statusCode ?? 0}` });
      const chunks: Buffer[] = [];
      let size = 0;
      const parse = (): void => {
        let text = Buffer.concat(chunks).toString('latin1');
        // Cut off: the last line may be partial, so it is dropped.
        if (size >= GWC_MAX_BYTES) text = text.slice(0, text.lastIndexOf('\n') + 1);
        finish({ hosts: parseGwcAnswer(text) });
      };
      res.on('data', (c: Buffer) => {
        const room = GWC_MAX_BYTES - size;
        chunks.push(c.length > room ? c.subarray(0, room) : c);
        size += Math.min(c.length, room);
        if (size >= GWC_MAX_BYTES) parse();
      });
      res.on('end', parse);
      res.on('error', (e) => finish({ hosts: [], error: e.message }));
    });
    const timer = setTimeout(() => finish({ hosts: [], error: `no answer in ${timeoutMs} ms` }), timeoutMs);
    req.on('error', (e) => finish({ hosts: [], error: e.message }));
    req.end();
  });
}
