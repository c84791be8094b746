/**
 * Hostile addresses (spec 6 "Content-level"), as gtk-gnutella keeps them
 * (hostiles.c): a static list the user gives (`--gnutella-hostiles FILE`, one
 * IPv4 address, `a.b.c.d/bits` or `a.b.c.d - e.f.g.h` range a line, like
 * hostiles.txt), plus the offenders address-bans.ts shuns after a `Bye 412`.
 * A hostile address is refused at our door (`550 Hostile IP address banned`),
 * never dialled, pushed to or put in the host cache or pong cache; hits from it,
 * and OOB queries whose reply address it is, are dropped (message-handler.ts).
 */
import { normalizeIp } from '../../src/net/address.js';
import { BlockList, isIPv4 } from '../../src/net/block-list.js';
import { describeLoad, parseList, readListFile, type ListParse } from './list-file.js';

/** gtk-gnutella's answer to a hostile connect or HTTP request (sockets.c). */
export const HOSTILE_REASON = 'Hostile IP address banned';

/** One line of a hostiles file. */
export type HostileRange = { kind: 'address'; ip: string } | { kind: 'subnet'; ip: string; bits: number } | { kind: 'range'; from: string; to: string };

const toNumber = (ip: string): number => ip.split('.').reduce((n, b) => n * 256 + Number(b), 0);

/** Parses one (comment-free, trimmed) line; a bad line says why. */
export function parseHostileLine(line: string): HostileRange | { bad: string } {
  const dash = line.indexOf('-');
  if (dash !== -1) {
    const from = line.slice(0, dash).trim();
    const to = line.slice(dash + 1).trim();
    if (!isIPv4(from) || !isIPv4(to)) return { bad: `not an IPv4 range: ${line}` };
    if (toNumber(from) > toNumber(to)) return { bad: `range ends before it starts: ${line}` };
    return { kind: 'range', from, to };
  }
  const slash = line.indexOf('/');
  if (slash !== -1) {
    const ip = line.slice(0, slash);
    const bitsText = line.slice(slash + 1);
    const bits = Number(bitsText);
    if (!isIPv4(ip)) return { bad: `not an IPv4 address: ${ip}` };
    if (!/^\d{1,2}$/.test(bitsText) || bits > 32) return { bad: `not a prefix length (0-32): /${bitsText}` };
    return { kind: 'subnet', ip, bits };
  }
  if (!isIPv4(line)) return { bad: `not an IPv4 address or range: ${line}` };
  return { kind: 'address', ip: line };
}

/** A hostiles file's text as a BlockList (pure; never throws). */
export function parseHostiles(text: string): ListParse<HostileRange> & { list: BlockList } {
  const p = parseList(text, parseHostileLine);
  const list = new BlockList();
  for (const r of p.entries) {
    if (r.kind === 'address') list.addAddress(r.ip, 'ipv4');
    else if (r.kind === 'subnet') list.addSubnet(r.ip, r.bits, 'ipv4');
    else list.addRange(r.from, r.to, 'ipv4');
  }
  return { ...p, list };
}

/** A socket's remote address as IPv4 (`::ffff:a.b.c.d` is a.b.c.d); undefined for IPv6. */
function plainIpv4(ip: string): string | undefined {
  const v4 = normalizeIp(ip);
  return isIPv4(v4) ? v4 : undefined;
}

/** What hostility stopped, for `/gstatus` and `/ghostiles`. */
export interface HostileCounts {
  refused: number;
  notDialled: number;
  notPushed: number;
  notCached: number;
}

export class Hostiles {
  #list = new BlockList();
  #ranges = 0;
  #loadedAt = 0;
  readonly counts: HostileCounts = { refused: 0, notDialled: 0, notPushed: 0, notCached: 0 };

  constructor(
    readonly file: string | undefined,
    /** Offenders shunned now (address-bans.ts): hostile as the listed ones are. */
    private readonly shunned: (ip: string) => boolean,
  ) {}

  /** Entries of the static list. */
  get ranges(): number {
    return this.#ranges;
  }

  get loadedAt(): number {
    return this.#loadedAt;
  }

  /** True when `ip` is on the user's list (the static part). */
  listed(ip: string): boolean {
    if (this.#ranges === 0) return false;
    const v4 = plainIpv4(ip);
    return v4 !== undefined && this.#list.check(v4, 'ipv4');
  }

  /** True when `ip` is listed or a shunned offender. */
  has(ip: string): boolean {
    return this.listed(ip) || this.shunned(ip);
  }

  /** True when the host of `ip:port` is hostile. */
  hasHost(addr: string): boolean {
    const colon = addr.lastIndexOf(':');
    return this.has(colon === -1 ? addr : addr.slice(0, colon));
  }

  /** Reads the file again (if one was given); returns what to tell the user. A file that cannot be read keeps the old list. */
  async load(now: number): Promise<string[]> {
    if (this.file === undefined) return ['hostiles: no --gnutella-hostiles file given'];
    let read: { text: string; cut?: string };
    try {
      read = await readListFile(this.file);
    } catch (err) {
      return [`hostiles: cannot read ${this.file} (${err instanceof Error ? err.message : String(err)}); the list in use is kept (${this.#ranges} entries)`];
    }
    const p = parseHostiles(read.text);
    this.#list = p.list;
    this.#ranges = p.entries.length;
    this.#loadedAt = now;
    return describeLoad('hostile addresses', this.file, p, read.cut);
  }
}
