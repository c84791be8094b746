import { VOTES_NEEDED } from './address-vote.js';
import type { MessageHandler } from './message-handler.js';
import type { Servent } from './servent.js';

function counters(c: Record<string, number>): string {
  const parts = Object.entries(c).map(([k, v]) => `${k} ${v}`);
  return parts.length === 0 ? '-' : parts.join(', ');
}

/** The drops the content filters made (hit-screen.ts, hostiles.ts), for `/ghostiles`. */
export function dropLine(drops: Readonly<Record<string, number | undefined>>): string {
  const keys = ['hostile-ip', 'own-result', 'bad-result', 'blank-servent-id', 'malformed-sha1', 'spam-sha1', 'spam-index', 'bogus-size'];
  const parts = keys.filter((k) => (drops[k] ?? 0) > 0).map((k) => `${k} ${drops[k]}`);
  return `hits and queries dropped: ${parts.length === 0 ? 'none' : parts.join(', ')}`;
}

function ago(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}

/** Where our advertised address comes from, or why there is none yet (spec 1.3; address-vote.ts). */
function addressLine(s: Servent): string {
  if (s.address.given) return `address ${s.address.given} (--gnutella-host)`;
  const lead = s.address.vote.leading;
  const pending = lead ? `; ${lead.votes} of the ${VOTES_NEEDED} peers needed say ${lead.address}` : '';
  const cur = s.address.vote.current;
  if (cur) return `address ${cur} (peers' Remote-IP agreed${pending})`;
  return `address not known yet: pongs and hits carry 127.0.0.1 until ${VOTES_NEEDED} peers from different networks agree on their Remote-IP${pending}`;
}

/**
 * `/gstatus` (issue 10): our mode, port, GUID, firewalled state and why; each
 * link with role, direction, vendor, uptime, compression, QRP state and
 * message counters in and out; hits and drops.
 */
export function statusLines(s: Servent, m: MessageHandler, now: number): string[] {
  const fw = s.push.firewall.describe();
  const lines = [
    `gnutella ${s.role} on port ${s.port} (mode ${s.opts.mode}: ${s.roleWhy}), servent GUID ${s.guid.toString('hex')}, up ${ago(now - s.startedAt)}`,
    fw,
    addressLine(s),
    s.role === 'leaf'
      ? `links: ${s.openLinks('ultrapeer').length} ultrapeers (want ${s.opts.links}); host cache ${s.hosts?.size ?? 0}`
      : `links: ${s.openLinks('ultrapeer').length} ultrapeers (up to ${s.opts.upLinks}), ${s.openLinks('leaf').length} leaves (up to ${s.opts.maxLeaves}); host cache ${s.hosts?.size ?? 0}`,
  ];
  for (const l of s.links.values()) {
    const c = l.conn;
    const comp = l.compressedIn || l.compressedOut ? `deflate ${l.compressedIn ? 'in' : ''}${l.compressedIn && l.compressedOut ? '+' : ''}${l.compressedOut ? 'out' : ''}` : 'plain';
    const ratio = l.compressedIn && l.decodedIn > 0 ? ` (in: ${c.bytesIn} B on the wire for ${l.decodedIn} B, ${Math.round((100 * c.bytesIn) / l.decodedIn)}%)` : '';
    const flow = `${c.congested ? ', send queue congested' : ''}${l.sentHopsFlow.value === 0 ? ', told hops flow 0' : ''}`;
    const qrp = l.role === 'leaf' ? `, qrp ${l.qrp.complete ? 'complete' : 'none yet'}${l.throttled ? `, ${l.throttled} queries throttled` : ''}` : l.qrp.complete ? ', last-hop qrp' : '';
    // An inbound link's address is the peer's outgoing port; where it listens names the peer.
    const listens = c.direction === 'in' && l.peer?.listen ? ` (listens on ${l.peer.listen.ip}:${l.peer.listen.port})` : '';
    lines.push(
      `  ${l.role ?? '?'} ${c.direction} ${c.address}${listens} ${l.phase} "${l.peer?.userAgent ?? ''}" up ${ago(now - (l.openedAt || now))}, ${comp}${ratio}${qrp}${flow}; in: ${counters(l.in)}; out: ${counters(l.out)}`,
    );
  }
  const late = s.searches.hitsLate > 0 ? `, ${s.searches.hitsLate} after their search ended` : '';
  lines.push(`hits received ${s.searches.hitsIn} (dropped ${s.searches.hitsDropped}${late}); queries answered ${m.queriesAnswered} with ${m.hitsSent} hits`);
  lines.push(s.ends.describe());
  lines.push(...s.push.statusLines());
  if (s.role === 'ultrapeer' || m.dq.started > 0) {
    lines.push(`dynamic queries: ${m.dq.size} running, ${m.dq.started} started, ${m.dq.queriesSent} copies sent to ultrapeers`);
    for (const r of m.dq.recent) lines.push(`  dq "${r.text}" for ${r.origin === 'us' ? 'us' : `leaf #${r.origin}`}: ${r.queriesSent} sent to ${r.ultrapeers} ultrapeers, ${r.results} results; stopped: ${r.why}`);
  }
  lines.push(`drops: ${counters(m.drops as Record<string, number>)}; duplicate table ${m.seen.size}; pong cache ${m.pongs.size}`);
  lines.push(s.filters.statusLine(s.bans.count(now)));
  return lines;
}
