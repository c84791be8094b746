import { isIP } from '../../src/net/address.js';
import { DEFAULT_PORT, MAX_TRY_HOSTS_PARSED } from './constants.js';
import type { HostPort } from './ipv4.js';

/**
 * Parses `X-Try-Ultrapeers` / `X-Try` (spec 1.3): a comma list of `ip:port`,
 * Shareaza appends a timestamp after a space; the port defaults to 6346. Only
 * IPv4 literals are kept; at most 64 entries are read.
 */
export function parseTryHosts(value: string | undefined): HostPort[] {
  if (!value) return [];
  const out: HostPort[] = [];
  for (const item of value.split(',')) {
    if (out.length >= MAX_TRY_HOSTS_PARSED) break;
    const token = item.trim().split(/\s+/)[0] ?? '';
    const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(token);
    if (!m || isIP(m[1]!) !== 4) continue;
    const port = m[2] === undefined ? DEFAULT_PORT : Number(m[2]);
    if (port < 1 || port > 65_535) continue;
    out.push({ ip: m[1]!, port });
  }
  return out;
}

/** Formats hosts for `X-Try-Ultrapeers`. */
export function formatTryHosts(hosts: readonly HostPort[]): string {
  return hosts.map((h) => `${h.ip}:${h.port}`).join(',');
}

/** Parses `Listen-IP` / `Node` / `X-My-Address` (`a.b.c.d:port`). */
export function parseListenIp(value: string | undefined): HostPort | undefined {
  return parseTryHosts(value)[0];
}
