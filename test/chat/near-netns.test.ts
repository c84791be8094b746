/**
 * People Near Me on a real LAN made of two network namespaces of our own (issue 14 "Tests"):
 * a veth pair, 10.77.0.1 and 10.77.0.2 inside them only, a multicast route on the veth.
 * Two real peerdeck processes (`ip netns exec NS node dist/src/main.js --headless --json`)
 * with discovery and People Near Me on their defaults: the discovery datagrams never leave
 * the namespaces. Sign-in shows, sign-out disappears, a P+2 share invitation accepted
 * downloads a file (compared byte for byte), contacts-only refuses a stranger's invitation.
 *
 * Needs root (or CAP_NET_ADMIN) and iproute2; skipped with the reason printed otherwise.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAIN, startCli, type CliNode, type JsonEvent } from '../cli/cli-process.js';

const RUN = randomBytes(3).toString('hex');
const NS = [`pdnear-${RUN}-a`, `pdnear-${RUN}-b`] as const;
/** Interface names are at most 15 characters. */
const VETH = [`pdn${RUN}a`, `pdn${RUN}b`] as const;
const ADDR = ['10.77.0.1', '10.77.0.2'] as const;
const P2_PORT = 6400;
/** Generous: two processes start and talk on a 2-core machine shared with many test runs. */
const WAIT_MS = 30_000;

/** Runs `ip ...`; the error text when it fails. */
function ip(...args: string[]): string | undefined {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return r.error.message;
  return r.status === 0 ? undefined : (r.stderr || `exit ${r.status}`).trim();
}

/** Builds the two-namespace LAN; the reason when this machine cannot. */
function buildLan(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  const probe = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (probe.error) return `iproute2 is missing (${probe.error.message}; apt-get install -y iproute2)`;
  const denied = ip('netns', 'add', NS[0]);
  if (denied !== undefined) return `ip netns is not permitted here: ${denied}`;
  const steps: string[][] = [
    ['netns', 'add', NS[1]],
    ['link', 'add', VETH[0], 'type', 'veth', 'peer', 'name', VETH[1]],
  ];
  for (let i = 0; i < 2; i++) {
    steps.push(
      ['link', 'set', VETH[i]!, 'netns', NS[i]!],
      ['-n', NS[i]!, 'addr', 'add', `${ADDR[i]!}/24`, 'dev', VETH[i]!],
      ['-n', NS[i]!, 'link', 'set', 'lo', 'up'],
      ['-n', NS[i]!, 'link', 'set', VETH[i]!, 'up'],
      // Discovery sends to 239.255.63.50 on the default interface: the veth, inside the namespace only.
      ['-n', NS[i]!, 'route', 'add', '224.0.0.0/4', 'dev', VETH[i]!],
    );
  }
  for (const s of steps) {
    const err = ip(...s);
    if (err !== undefined) return `could not build the namespace LAN (ip ${s.join(' ')}): ${err}`;
  }
  return undefined;
}

/** Removes what buildLan made, by name (deleting a namespace deletes its veth end, and so the pair). */
function destroyLan(): void {
  for (const ns of NS) ip('netns', 'del', ns);
  ip('link', 'del', VETH[0]);
}

/** What the user is told: notices, and People Near Me's events (each with its sentence). */
const told = (e: JsonEvent): boolean => e.type === 'notice' || e.type.startsWith('near.');
const notices = (n: CliNode): string[] => n.events.filter(told).map((e) => String(e.text));
const isNotice = (pred: (t: string) => boolean) => (e: JsonEvent): boolean => told(e) && pred(String(e.text));
const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

describe('People Near Me on a two-namespace LAN', () => {
  let skip: string | undefined;
  let dir = '';
  let alice: CliNode | undefined;
  let bob: CliNode | undefined;
  const film = randomBytes(700_000);

  beforeAll(async () => {
    skip = buildLan();
    if (skip !== undefined) {
      destroyLan();
      return;
    }
    dir = await mkdtemp(join(tmpdir(), 'peerdeck-netns-'));
    await writeFile(join(dir, 'holiday film.bin'), film);
    const inNs = (ns: string): string[] => ['ip', 'netns', 'exec', ns, process.execPath, MAIN];
    // Discovery on (lanDiscovery): its datagrams stay inside the namespaces' own network.
    alice = await startCli(['--nick', 'alice', '--share', dir, '--pplus2-port', String(P2_PORT)], { command: inNs(NS[0]), lanDiscovery: true });
    bob = await startCli(['--nick', 'bob', '--pplus2-port', String(P2_PORT)], { command: inNs(NS[1]), lanDiscovery: true });
    await alice.waitEvent((e) => e.type === 'ready', WAIT_MS);
    await bob.waitEvent((e) => e.type === 'ready', WAIT_MS);
  }, 60_000);

  afterAll(async () => {
    // Killed by PID (the `ip netns exec` process becomes node), then the LAN is removed by name.
    await alice?.cleanup();
    await bob?.cleanup();
    if (skip === undefined) destroyLan();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sign-in shows, sign-out disappears; a P+2 invitation accepted downloads the file; contacts-only refuses a stranger', async (ctx) => {
    if (skip !== undefined) {
      console.log(`skipped: ${skip}`);
      ctx.skip();
      return;
    }
    const a = alice!;
    const b = bob!;
    // Sign-in (on by default): each sees the other, at its namespace address.
    await a.waitEvent(isNotice((t) => t.startsWith('near: bob (')), WAIT_MS);
    await b.waitEvent(isNotice((t) => t.startsWith('near: alice (')), WAIT_MS);
    // Bob announced himself before his P+2 listened: ask until his next announcement says it.
    await vi.waitFor(() => {
      a.send('/near');
      expect(notices(a).some((t) => t.startsWith('bob (') && t.includes(`at ${ADDR[1]}`) && t.includes('pplus2'))).toBe(true);
    }, { timeout: WAIT_MS, interval: 1_000 });

    // Sign-out: bob disappears from alice's list at once; sign-in brings him back.
    b.send('/signout');
    await a.waitEvent(isNotice((t) => t === 'near: bob signed out'), WAIT_MS);
    const before = notices(a).filter((t) => t.startsWith('near: bob (')).length;
    b.send('/signin');
    await a.waitEvent(() => notices(a).filter((t) => t.startsWith('near: bob (')).length > before, WAIT_MS);

    // Alice invites bob to her P+2 share; bob accepts, searches it and downloads.
    a.send('/invite bob pplus2 the holiday film');
    await a.waitEvent(isNotice((t) => t === `invited bob to pplus2 at ${ADDR[0]}:${P2_PORT}`), WAIT_MS);
    await b.waitEvent(isNotice((t) => t.startsWith('invitation 1: alice') && t.includes(`to pplus2 at ${ADDR[0]}:${P2_PORT}: the holiday film`)), WAIT_MS);
    b.send('/accept 1');
    await b.waitEvent(isNotice((t) => t === `added ${ADDR[0]}:${P2_PORT}`), WAIT_MS);
    await a.waitEvent(isNotice((t) => t === 'bob accepted your invitation'), WAIT_MS);
    b.send('/search holiday');
    const hit = await b.waitEvent((e) => e.type === 'search.hit' && e.protocol === 'pplus2' && e.name === 'holiday film.bin', WAIT_MS);
    b.send(`/get ${String(hit.n)}`);
    await b.waitEvent((e) => e.type === 'transfer.done' && e.direction === 'down', WAIT_MS);
    expect(sha1(await readFile(join(b.dataDir, 'downloads', 'holiday film.bin')))).toBe(sha1(film));

    // Bob now takes invitations from contacts only: alice is none; he never sees hers.
    b.send('/acceptfrom contacts');
    await b.waitEvent(isNotice((t) => t === 'invitations from contacts'), WAIT_MS);
    a.send('/invite bob mesh come chat');
    await a.waitEvent(isNotice((t) => t === 'bob declined your invitation'), WAIT_MS);
    await new Promise((r) => setTimeout(r, 500));
    expect(notices(b).filter((t) => t.startsWith('invitation ') && t.includes(' invites you '))).toHaveLength(1);
  }, 240_000);
});
