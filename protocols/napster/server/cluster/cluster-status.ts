/**
 * `/nstatus` (issue 15): the cluster's servers with their users and files, or
 * one line saying this server stands alone.
 */
import { agoWords } from '../handlers-user.js';
import type { NapsterServer } from '../napster-server.js';

/** Nicks listed per server before "and N more". */
const NICKS_SHOWN = 20;

export function clusterStatusLines(server: NapsterServer): string[] {
  const st = server.state;
  const c = server.cluster;
  if (!c) return [`Napster server ${st.cfg.name}: not in a cluster (${st.users.size} users, ${st.index.size} files)`];
  const status = c.status();
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
