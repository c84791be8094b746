/**
 * `/clouds` (issue 14 "Clouds"): the Global cloud (the mesh reached through --connect, the
 * host cache and names) and one LinkLocal cloud for the interface LAN discovery runs on,
 * with its scope id (the interface's index), and the peers and names each holds. A LinkLocal
 * cloud's peers are the linked nodes whose address is on that interface's subnet.
 */
import { networkInterfaces } from 'node:os';
import { isIP } from '../../../src/net/address.js';
import type { NameService } from './name-service.js';
import type { CloudScope } from './record.js';

/** What /clouds reports of one cloud. */
export interface CloudView {
  name: string;
  scope: 'global' | 'linklocal';
  /** The interface's index (1-based, in the OS's listing order); 0 for Global. */
  scopeId: number;
  peers: number;
  names: number;
}

/** The interface (name, index, IPv4 address and netmask) holding `address`, or the OS default. */
export function interfaceOf(address: string | undefined): { name: string; index: number; address: string; netmask: string } | undefined {
  let index = 0;
  for (const [name, list] of Object.entries(networkInterfaces())) {
    index++;
    for (const a of list ?? []) {
      if (a.family !== 'IPv4') continue;
      if (address === undefined ? !a.internal : a.address === address) return { name, index, address: a.address, netmask: a.netmask };
    }
  }
  return undefined;
}

function toInt(ip: string): number {
  return ip.split('.').reduce((n, p) => (n << 8) + Number(p), 0) >>> 0;
}

/** Whether IPv4 `ip` is on the subnet of `address`/`netmask`. */
export function onSubnet(ip: string, address: string, netmask: string): boolean {
  if (isIP(ip) !== 4) return false;
  const m = toInt(netmask);
  return ((toInt(ip) & m) >>> 0) === ((toInt(address) & m) >>> 0);
}

/** Builds the /clouds view from the node's state. */
export function cloudViews(input: {
  peerIps: string[];
  globalNames: number;
  linkLocalNames: number;
  /** The discovery interface address (undefined: the OS default), or null when discovery is off. */
  discovery: string | undefined | null;
}): CloudView[] {
  const out: CloudView[] = [{ name: 'Global', scope: 'global', scopeId: 0, peers: input.peerIps.length, names: input.globalNames }];
  if (input.discovery === null) return out;
  const i = interfaceOf(input.discovery);
  if (!i) return out;
  out.push({ name: `LinkLocal_${i.name}`, scope: 'linklocal', scopeId: i.index, peers: input.peerIps.filter((ip) => onSubnet(ip, i.address, i.netmask)).length, names: input.linkLocalNames });
  return out;
}

/** The /clouds view of a node: its names by scope, its linked peers, its discovery interface (null: off). */
export function cloudsOf(names: NameService | undefined, now: number, peerIps: string[], discovery: string | undefined | null): CloudView[] {
  const regs = names?.registrations() ?? [];
  const cached = names?.cache.all(now) ?? [];
  const count = (scope: CloudScope): number => regs.filter((r) => r.cloud === scope || r.cloud === 'all').length + cached.filter((r) => r.cloud === scope).length;
  return cloudViews({ peerIps, globalNames: count('global'), linkLocalNames: count('linklocal'), discovery });
}
