/**
 * `/nstatus` (issue 15): the cluster's servers with their users and files, or
 * one line saying this server stands alone.
 */
import { agoWords } from '../handlers-user.js';
import type { NapsterServer } from '../napster-server.js';
import type { ClusterNode } from './cluster-node.js';

/** Nicks listed per server before "and N more". */
const NICKS_SHOWN = 20;

/** What /nstatus shows. */
export interface ClusterStatus {
  connected: boolean;
  servers: Array<{ id: string; name: string; users: number; files: number; self: boolean; nicks: string[] }>;
}

/** The cluster as this server sees it: itself first, then every live server with its users. */
export function clusterStatus(c: ClusterNode): ClusterStatus {
  const self = {
    id: c.id,
    name: c.st.cfg.name,
    users: c.st.users.size,
    files: c.st.index.size,
    self: true,
    nicks: [...c.st.users.values()].map((u) => u.nick),
  };
  const others = [...c.dir.servers.values()].map((s) => ({
    id: s.id,
    name: s.name,
    users: s.users,
    files: s.files,
    self: false,
    nicks: [...c.dir.users()].filter((u) => u.server === s.id).map((u) => u.nick),
  }));
  return { connected: c.connected, servers: [self, ...others] };
}

/** The `/nstatus` lines. */
export function clusterStatusLines(server: NapsterServer): string[] {
  const st = server.state;
  const c = server.cluster;
  if (!c) return [`Napster server ${st.cfg.name}: not in a cluster (${st.users.size} users, ${st.index.size} files)`];
  const status = clusterStatus(c);
  const lines = [
    `cluster ${c.opts.name}: ${status.connected ? 'connected' : 'NATS unreachable, serving local users alone'}, ` +
      `${status.servers.length} server${status.servers.length === 1 ? '' : 's'}`,
  ];
  let users = 0;
  let files = 0;
  for (const s of status.servers) {
    users += s.users;
    files += s.files;
    const shown = s.nicks.slice(0, NICKS_SHOWN).join(' ');
    const more = s.nicks.length > NICKS_SHOWN ? ` and ${s.nicks.length - NICKS_SHOWN} more` : '';
    lines.push(`  ${s.name} (${s.id})${s.self ? ' [this server]' : ''}: ${s.users} users, ${s.files} files${shown ? `: ${shown}${more}` : ''}`);
  }
  const down = c.downSince;
  if (down !== undefined && c.lost.size > 0) {
    lines.push(`  when the link went down (${agoWords(st.clock.now() - down)}): ${c.lost.size} users on other servers, now unknown (/whois says where each was)`);
  }
  lines.push(`  total: ${users} users, ${files} files`);
  return lines;
}
