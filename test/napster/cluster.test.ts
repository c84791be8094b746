/**
 * Several Napster servers as one network over NATS (issue 15): three real
 * peerdeck processes joined through a real nats-server on loopback, OpenNap
 * clients spread over them. Skips with a printed reason without nats-server.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, createServer, type AddressInfo, type Socket } from 'node:net';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startCli, type CliNode } from '../cli/cli-process.js';
import { NapClient, type Received } from './nap-client.js';
import { freePort, natsMissing, startNats, type NatsFixture } from './nats-fixture.js';

const missing = natsMissing();
if (missing) console.log(missing);

const SONG_A = 'C:\\music\\cluster tune alpha.mp3';
const SONG_B = 'C:\\music\\cluster tune bravo.mp3';
const SONG_C = 'C:\\music\\cluster tune charlie.mp3';
const SONG_E = 'C:\\Erin\\cluster late song.mp3';

interface Srv {
  name: string;
  cli: CliNode;
  port: number;
}

let nats: NatsFixture;
const servers: Srv[] = [];
const clients: NapClient[] = [];
const cluster = `t${randomBytes(4).toString('hex')}`;

async function startServer(name: string, natsUrl = nats.url): Promise<Srv> {
  const cli = await startCli([
    '--no-chat', '--napster-server', '--napster-port', '0', '--napster-host', '127.0.0.1', '--napster-server-name', name,
    '--napster-cluster', natsUrl, '--napster-cluster-name', cluster,
  ]);
  const ready = (await cli.waitEvent((e) => e.type === 'ready', 30_000)) as unknown as { ports: Record<string, number> };
  await cli.waitEvent((e) => e.type === 'notice' && String(e.text).startsWith('cluster: joined'), 30_000);
  return { name, cli, port: ready.ports.napster! };
}

/** The /nstatus lines of a server. */
async function nstatus(srv: Srv): Promise<string[]> {
  const from = srv.cli.events.length;
  srv.cli.send('/nstatus');
  await vi.waitFor(
    () => {
      if (!srv.cli.events.slice(from).some((e) => String(e.text).startsWith('  total:'))) throw new Error('no /nstatus yet');
    },
    { timeout: 10_000, interval: 20 },
  );
  const evs = srv.cli.events.slice(from).map((e) => String(e.text));
  const start = evs.findIndex((t) => t.startsWith('cluster '));
  const end = evs.findIndex((t) => t.startsWith('  total:'));
  return evs.slice(start, end + 1);
}

async function login(srv: Srv, nick: string, opts: { pass?: string; dataPort?: number } = {}): Promise<NapClient> {
  const c = await NapClient.login(srv.port, nick, opts);
  clients.push(c);
  return c;
}

/** A whois: the 604 text for an online user, else `605 <text>` or `404 <text>` (what came first). */
async function whois(c: NapClient, nick: string): Promise<string> {
  const from = c.frames.length;
  c.send(603, nick);
  let hit: Received | undefined;
  await vi.waitFor(
    () => {
      hit = c.frames.slice(from).find((f) => f.type === 604 || f.type === 605 || f.type === 404);
      if (!hit) throw new Error('no whois answer yet');
    },
    { timeout: 10_000, interval: 5 },
  );
  await new Promise((r) => setTimeout(r, 50)); // let a 605's trailing 404 arrive before the next ask
  return hit!.type === 604 ? hit!.text : `${hit!.type} ${hit!.text}`;
}

function results(frames: Received[]): string[] {
  return frames.filter((f) => f.type === 201).map((f) => f.text);
}

/** Searches until `pred` holds for the 201 lines (the network converges within seconds). */
async function searchUntil(c: NapClient, query: string, pred: (lines: string[]) => boolean, timeout = 15_000): Promise<string[]> {
  let last: string[] = [];
  await vi.waitFor(
    async () => {
      last = results(await c.ask(200, query, 202));
      if (!pred(last)) throw new Error(`results so far: ${last.join(' | ')}`);
    },
    { timeout, interval: 200 },
  );
  return last;
}

describe.skipIf(missing !== undefined)('Napster servers as one network over NATS', () => {
  let alice: NapClient;
  let bob: NapClient;
  let carol: NapClient;
  const [A, B, C] = [0, 1, 2];

  beforeAll(async () => {
    nats = await startNats();
    servers.push(...(await Promise.all(['srvA', 'srvB', 'srvC'].map((n) => startServer(n)))));
    await vi.waitFor(
      async () => {
        for (const s of servers) expect((await nstatus(s))[0]).toContain('connected, 3 servers');
      },
      { timeout: 20_000, interval: 300 },
    );
    alice = await login(servers[A]!, 'alice', { pass: 'apw', dataPort: 6699 });
    bob = await login(servers[B]!, 'bob', { pass: 'bpw', dataPort: 0 });
    carol = await login(servers[C]!, 'carol', { pass: 'cpw', dataPort: 6600 });
    alice.send(100, `"${SONG_A}" 00000000000000000000000000000000 4000000 128 44100 240`);
    bob.send(100, `"${SONG_B}" 00000000000000000000000000000000 5000000 192 44100 200`);
    carol.send(100, `"${SONG_C}" 00000000000000000000000000000000 6000000 192 44100 200`);
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.cli.cleanup()));
    await nats?.cleanup();
  });

  it('answers a search on one server with the files of users on every server, ending with 202', async () => {
    const lines = await searchUntil(carol, 'FILENAME CONTAINS "cluster tune" MAX_RESULTS 10', (l) => l.length === 2);
    expect(lines.some((l) => l.startsWith(`"${SONG_A}" `) && l.includes(' alice '))).toBe(true);
    expect(lines.some((l) => l.startsWith(`"${SONG_B}" `) && l.includes(' bob '))).toBe(true);
    // MAX_RESULTS holds over the merged answer.
    const one = await carol.ask(200, 'FILENAME CONTAINS "cluster tune" MAX_RESULTS 1', 202);
    expect(results(one)).toHaveLength(1);
    expect(one.at(-1)!.type).toBe(202);
    // A firewalled searcher does not see firewalled bob's file, wherever it is.
    const fromBob = results(await bob.ask(200, 'FILENAME CONTAINS "cluster tune"', 202));
    expect(fromBob.map((l) => l.split('"')[1]).sort()).toEqual([SONG_A, SONG_C].sort());
  });

  it('counts the whole network in 214 and lists it in /nstatus', async () => {
    await vi.waitFor(
      async () => expect((await carol.ask(214, '', 214)).at(-1)!.text).toBe('3 3 0'),
      { timeout: 10_000, interval: 300 },
    );
    // Counts travel with the heartbeats (every 2 s).
    await vi.waitFor(
      async () => {
        const lines = await nstatus(servers[A]!);
        expect(lines[0]).toContain('connected, 3 servers');
        expect(lines.find((l) => l.includes('srvB'))).toMatch(/1 users, 1 files: bob/);
        expect(lines.at(-1)).toBe('  total: 3 users, 3 files');
      },
      { timeout: 10_000, interval: 300 },
    );
  });

  it('browses, whoises, pings and messages a user on another server', async () => {
    const browse = await carol.ask(211, 'alice', 213);
    expect(browse.filter((f) => f.type === 212).map((f) => f.text)).toEqual([`alice "${SONG_A}" 00000000000000000000000000000000 4000000 128 44100 240`]);
    expect(browse.at(-1)!.text).toMatch(/^alice \d+$/);
    expect(await whois(carol, 'bob')).toMatch(/^bob "User" \d+ " " "Active" 1 0 0 7 "test client"$/);
    const from = alice.frames.length;
    carol.send(205, 'alice hello from server C');
    expect((await alice.waitType(205, from)).text).toBe('carol hello from server C');
    expect((await carol.ask(600, 'bob', 601)).at(-1)!.text).toBe('bob 7');
  });

  it('carries channels across servers: member lists, joins and lines', async () => {
    await alice.ask(400, '#team', 410);
    // Server C hears of alice's join through NATS; 830 lists members on every server.
    await vi.waitFor(async () => expect((await carol.ask(830, '#team', 830)).map((f) => f.text)).toEqual(['#team alice 1 7', '']), {
      timeout: 10_000,
      interval: 100,
    });
    const join = await carol.ask(400, '#team', 410);
    expect(join.filter((f) => f.type === 408).map((f) => f.text)).toEqual(['#team carol 1 7', '#team alice 1 7']);
    expect((await alice.waitType(406)).text).toBe('#team carol 1 7');
    const from = alice.frames.length;
    carol.send(402, '#team hi from C');
    expect((await alice.waitType(403, from)).text).toBe('#team carol hi from C');
    expect((await carol.waitType(403)).text).toBe('#team carol hi from C');
  });

  it('brokers a download (203/607/608/204), a push (500/607/608/501) and a queue limit (619/620) across servers', async () => {
    let from = alice.frames.length;
    carol.send(203, `alice "${SONG_A}"`);
    expect((await alice.waitType(607, from)).text).toBe(`carol "${SONG_A}"`);
    from = carol.frames.length;
    alice.send(608, `carol "${SONG_A}"`);
    expect((await carol.waitType(204, from)).text).toMatch(new RegExp(`^alice \\d+ 6699 "${SONG_A.replaceAll('\\', '\\\\')}" 0{32} 7$`));
    // bob is firewalled: 203 answers 204 with port 0 at once, then the push goes through bob's server.
    from = carol.frames.length;
    carol.send(203, `bob "${SONG_B}"`);
    expect((await carol.waitType(204, from)).text).toMatch(/^bob \d+ 0 /);
    from = bob.frames.length;
    carol.send(500, `bob "${SONG_B}"`);
    expect((await bob.waitType(607, from)).text).toBe(`carol "${SONG_B}"`);
    const fromBob = bob.frames.length;
    bob.send(608, `carol "${SONG_B}"`);
    expect((await bob.waitType(501, fromBob)).text).toMatch(/^carol \d+ 6600 "/);
    // 619 from the uploader: the downloader on another server gets 620 with the file's size.
    from = carol.frames.length;
    alice.send(619, `carol "${SONG_A}" 3`);
    expect((await carol.waitType(620, from)).text).toBe(`alice "${SONG_A}" 4000000 3`);
  });

  it('delivers an empty private message and takes a new data port (703) and link speed (700) across servers, as one server does', async () => {
    // As opennap's privmsg.c splits it: the empty text after the space is delivered, with the space.
    let from = alice.frames.length;
    carol.send(205, 'alice ');
    expect((await alice.waitType(205, from)).text).toBe('carol ');
    // MP3::Napster's way, on server B: log in with port 0, then say the port (703) and the speed (700).
    const erin = await NapClient.login(servers[B]!.port, 'erin', { pass: 'epw', dataPort: 0, speed: 2 });
    try {
      erin.send(100, `"${SONG_E}" 00000000000000000000000000000000 1000 128 44100 60`);
      await searchUntil(carol, 'FILENAME CONTAINS "cluster late"', (l) => l.length === 1);
      erin.send(703, '6801 trailing words');
      erin.send(700, '9x');
      // Server C learns both: carol's 600 says the new speed, and her 203 goes to erin (reachable now)
      // instead of an immediate 204 with port 0.
      await vi.waitFor(async () => expect((await carol.ask(600, 'erin', 601)).at(-1)!.text).toBe('erin 9'), { timeout: 10_000, interval: 200 });
      from = erin.frames.length;
      carol.send(203, `erin "${SONG_E}"`);
      expect((await erin.waitType(607, from)).text).toBe(`carol "${SONG_E}"`);
      from = carol.frames.length;
      erin.send(608, `carol "${SONG_E}"`);
      expect((await carol.waitType(204, from)).text).toMatch(new RegExp(`^erin \\d+ 6801 "${SONG_E.replaceAll('\\', '\\\\')}" 0{32} 9$`));
    } finally {
      erin.close();
    }
  });

  it('keeps accounts network-wide: registered on A, logs in on C with that password only', async () => {
    const dave = await login(servers[A]!, 'dave', { pass: 'dpw' });
    dave.close();
    await vi.waitFor(async () => expect(await whois(carol, 'dave')).toMatch(/^605 dave "User" \d+$/), { timeout: 10_000, interval: 300 });
    const wrong = await NapClient.open(servers[C]!.port);
    clients.push(wrong);
    wrong.send(2, 'dave nope 0 "x" 1');
    expect((await wrong.waitType(0)).text).toBe('Invalid Password');
    const right = await login(servers[C]!, 'dave', { pass: 'dpw' });
    expect(right.closed).toBe(false);
  });

  it('lets one of two servers register a new nick asked for at the same moment; the other login is refused', async () => {
    for (let i = 0; i < 3; i++) {
      const nick = `ivy${i}`;
      const pair = await Promise.all([NapClient.open(servers[A]!.port), NapClient.open(servers[B]!.port)]);
      clients.push(...pair);
      pair.forEach((c, k) => c.send(2, `${nick} pw${k} 0 "x" 1`));
      const answers = await Promise.all(pair.map(async (c) => {
        await vi.waitFor(() => expect(c.frames.some((f) => f.type === 214 || f.type === 0)).toBe(true), { timeout: 15_000, interval: 10 });
        return c.frames.find((f) => f.type === 214 || f.type === 0)!;
      }));
      expect(answers.map((f) => f.type).sort()).toEqual([0, 214]);
      expect(answers.find((f) => f.type === 0)!.text).toBe('Invalid Password');
      const winner = answers.findIndex((f) => f.type === 214);
      pair[winner]!.close();
      // The whole network keeps the winner's password, and only it.
      await vi.waitFor(async () => expect(await whois(carol, nick)).toMatch(/^605 /), { timeout: 10_000, interval: 200 });
      const onC = await login(servers[C]!, nick, { pass: `pw${winner}` });
      expect(onC.closed).toBe(false);
      onC.close();
    }
  });

  it('applies the ghost rule across servers: a nick is online on one server at a time', async () => {
    const hot = await carol.ask(207, 'eve', 301);
    expect(hot.map((f) => f.type)).toEqual([301]);
    const eve1 = await login(servers[A]!, 'eve', { pass: 'epw' });
    expect((await carol.waitType(209)).text).toBe('eve 7');
    // Server B has heard that eve is on A (its whois goes there).
    await vi.waitFor(async () => expect(await whois(bob, 'eve')).toMatch(/^eve /), { timeout: 10_000, interval: 100 });
    const eve2 = await login(servers[B]!, 'eve', { pass: 'epw' });
    expect((await eve1.waitType(748)).text).toBe('');
    expect((await eve1.waitType(404)).text).toBe('You were killed by server srvB: Someone else is logging in as you, disconnecting.');
    await eve1.waitClosed();
    expect(eve2.closed).toBe(false);
    await vi.waitFor(async () => expect(await whois(carol, 'eve')).toMatch(/^eve /), { timeout: 10_000, interval: 300 });
  });

  it('settles one nick admitted on two servers at the same moment: exactly one login stands', async () => {
    const ids = new Map((await nstatus(servers[A]!)).flatMap((l) => {
      const m = /^ {2}(\S+) \(([0-9a-f]{12})\)/.exec(l);
      return m ? [[m[1]!, m[2]!] as const] : [];
    }));
    const nc = await connect({ servers: nats.url });
    const forged = (nick: string, ip: string, at: number, op: 'on' | 'off' = 'on'): void =>
      nc.publish(`napster.${cluster}.user`, JSON.stringify({ op, user: { nick, server: ids.get('srvB'), ip, ipNum: 1, port: 0, speed: 3, shared: 0, at } }));
    try {
      // The news that B admitted the same nick later, from the same address: rule 7 ghosts ours.
      const frank = await login(servers[A]!, 'frank', { pass: 'fpw' });
      forged('frank', '127.0.0.1', Date.now() + 60_000);
      expect((await frank.waitType(404)).text).toBe('You were killed by server srvB: Someone else is logging in as you, disconnecting.');
      await frank.waitClosed();
      forged('frank', '127.0.0.1', 0, 'off');
      // From another address: the older login stands, ours if it was first, theirs if not.
      const gina = await login(servers[A]!, 'gina', { pass: 'gpw' });
      forged('gina', '10.9.9.9', Date.now() + 60_000);
      expect(await whois(carol, 'alice')).toMatch(/^alice /); // a round trip after the news
      expect(gina.closed).toBe(false);
      forged('gina', '10.9.9.9', 1);
      expect((await gina.waitType(404)).text).toBe('gina is already active');
      await gina.waitClosed();
      forged('gina', '10.9.9.9', 0, 'off');
      await nc.flush();
    } finally {
      await nc.close();
    }
    // And for real: the same nick logged in on A and B at once, five times over.
    for (let i = 0; i < 5; i++) {
      const pair = await Promise.all([login(servers[A]!, `hank${i}`, { pass: 'hpw' }), login(servers[B]!, `hank${i}`, { pass: 'hpw' })]);
      await vi.waitFor(() => expect(pair.filter((c) => c.closed)).toHaveLength(1), { timeout: 10_000, interval: 50 });
      await new Promise((r) => setTimeout(r, 300));
      expect(pair.filter((c) => c.closed)).toHaveLength(1);
      const standing = pair.findIndex((c) => !c.closed);
      await vi.waitFor(async () => expect(await whois(carol, `hank${i}`)).toMatch(new RegExp(`^hank${i} `)), { timeout: 10_000, interval: 200 });
      pair[standing]!.close();
    }
  });

  it('shrugs off garbage on the cluster subjects: every server keeps serving', async () => {
    const nc = await connect({ servers: nats.url });
    const ids = (await nstatus(servers[A]!)).map((l) => /\(([0-9a-f]{12})\)/.exec(l)?.[1]).filter((x): x is string => x !== undefined);
    expect(ids).toHaveLength(3);
    const junk = [new Uint8Array([0xff, 0x00, 0x7b]), Buffer.from('{"op":"on","user":{"nick":"x"}}'), Buffer.from('[]'), Buffer.from('null'),
      Buffer.from(JSON.stringify({ from: { server: 'x', nick: 'evil', ip: '1.2.3.4', port: 1, speed: 1, level: 4, shares: [], size: 0 }, type: 610, text: 'alice' })),
      Buffer.from(JSON.stringify({ id: 'bad id!', name: 'x', users: 1e9, files: 1, bytes: 1 }))];
    const subjects = [`napster.${cluster}.beat`, `napster.${cluster}.user`, `napster.${cluster}.chan`, `napster.${cluster}.bye`,
      ...ids.flatMap((id) => ['cmd', 'search', 'state', 'ghost'].map((w) => `napster.${cluster}.srv.${id}.${w}`))];
    for (const subj of subjects) for (const j of junk) nc.publish(subj, j);
    // An admin command dressed as a forwarded one is refused: alice stays online.
    const r = await nc.request(`napster.${cluster}.srv.${ids[0]}.cmd`, junk[4]!, { timeout: 5_000 });
    expect(r.data.length).toBe(0);
    await nc.flush();
    await nc.close();
    const lines = await searchUntil(carol, 'FILENAME CONTAINS "cluster tune"', (l) => l.length === 2);
    expect(lines).toHaveLength(2);
    expect(await whois(carol, 'alice')).toMatch(/^alice /);
  });

  it('drops a SIGKILLed server\'s users from searches and presence within 10 s; the others keep serving', async () => {
    const hot = await carol.ask(207, 'bob', 209);
    expect(hot.at(-1)!.text).toBe('bob 7');
    const joined = carol.frames.length;
    await bob.ask(400, '#team', 410);
    expect((await carol.waitType(406, joined)).text).toBe('#team bob 1 7');
    const from = carol.frames.length;
    const killedAt = Date.now();
    servers[B]!.cli.proc.kill('SIGKILL');
    // Until its heartbeats are missed, bob's server is still listed: a whois says it does not answer, not that bob is offline.
    expect(await whois(carol, 'bob')).toBe('404 bob is on server srvB, which did not answer; whether they are still online is unknown');
    await searchUntil(carol, 'FILENAME CONTAINS "cluster tune"', (l) => l.length === 1 && l[0]!.includes(' alice '), 10_000);
    expect((await carol.waitType(210, from, 10_000)).text).toBe('bob');
    expect((await carol.waitType(407, from, 10_000)).text).toBe('#team bob 1 7');
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(await whois(carol, 'bob')).toMatch(/^605 bob /);
    const at = alice.frames.length;
    carol.send(205, 'alice still here');
    expect((await alice.waitType(205, at)).text).toBe('carol still here');
  });

  it('serves local users alone while NATS is down, and rejoins when it is back', async () => {
    const a = servers[A]!;
    const from = a.cli.events.length;
    // carol (on C) watches alice (on A) and shares #team with her.
    expect((await carol.ask(207, 'alice', 209)).at(-1)!.text).toBe('alice 7');
    const split = carol.frames.length;
    await nats.stop();
    await a.cli.waitEvent((e) => a.cli.events.indexOf(e) >= from && String(e.text).includes('NATS is unreachable'), 20_000);
    // As when an OpenNap server splits off: its users sign off (210) and part (407) for carol.
    expect((await carol.waitType(210, split, 20_000)).text).toBe('alice');
    expect((await carol.waitType(407, split, 20_000)).text).toBe('#team alice 1 7');
    // Alone: carol's server answers from its own index at once.
    const alone = results(await carol.ask(200, 'FILENAME CONTAINS "cluster tune"', 202));
    expect(alone).toEqual([]);
    // Whois of a user of another server says what is known, not "offline" (once C has noticed too).
    await vi.waitFor(
      async () => expect(await whois(carol, 'alice')).toMatch(/^404 alice was on server srvA when the cluster link went down \d+ s ago; whether they are online now is unknown$/),
      { timeout: 20_000, interval: 300 },
    );
    await vi.waitFor(async () => expect(await nstatus(servers[C]!)).toContainEqual(expect.stringMatching(/^  when the link went down \(\d+ s ago\): [1-9]\d* users on other servers, now unknown/)), { timeout: 10_000, interval: 300 });
    // A nick nobody knew: the usual answer, then why other servers' users cannot be seen.
    const w = carol.frames.length;
    carol.send(603, 'nobody');
    await vi.waitFor(() => expect(carol.frames.slice(w).map((f) => `${f.type} ${f.text}`)).toEqual([
      '404 user nobody is not a known user',
      '404 User is not currently online.',
      expect.stringMatching(/^404 the cluster link is down \(since \d+ s ago\): users of the other servers cannot be seen now$/),
    ]), { timeout: 10_000, interval: 50 });
    const relink = carol.frames.length;
    nats = await nats.restart();
    await a.cli.waitEvent((e) => a.cli.events.indexOf(e) >= from && String(e.text).startsWith('cluster: rejoined'), 30_000);
    await searchUntil(carol, 'FILENAME CONTAINS "cluster tune"', (l) => l.length === 1 && l[0]!.includes(' alice '), 20_000);
    // ...and when it links again, carol is told alice is back: 209 and 406, once each.
    expect((await carol.waitType(209, relink, 20_000)).text).toBe('alice 7');
    expect((await carol.waitType(406, relink, 20_000)).text).toBe('#team alice 1 7');
    await new Promise((r) => setTimeout(r, 300));
    expect(carol.frames.slice(relink).filter((f) => f.type === 209 || f.type === 210 || f.type === 406 || f.type === 407).map((f) => `${f.type} ${f.text}`)).toEqual(['209 alice 7', '406 #team alice 1 7']);
    expect(await whois(carol, 'alice')).toMatch(/^alice /);
    // The accounts bucket survived the restart, and new registrations still reach every server.
    const frank = await login(a, 'frank', { pass: 'fpw' });
    frank.close();
    const wrong = await NapClient.open(servers[C]!.port);
    clients.push(wrong);
    wrong.send(2, 'dave nope 0 "x" 1');
    expect((await wrong.waitType(0)).text).toBe('Invalid Password');
    const again = await login(servers[C]!, 'frank', { pass: 'fpw' });
    expect(again.closed).toBe(false);
  });

  it('after a short break in one server\'s NATS link, the others learn what changed meanwhile (a user who left is signed off)', async () => {
    // Server D reaches NATS through a proxy the test can cut; the others never miss enough beats to drop D.
    const links = new Set<Socket>();
    let cut = false;
    const proxy = createServer((c) => {
      if (cut) return void c.destroy();
      const u = tcpConnect(nats.port, '127.0.0.1');
      for (const s of [c, u]) {
        links.add(s);
        s.on('error', () => undefined);
        s.on('close', () => (links.delete(s), c.destroy(), u.destroy()));
      }
      c.pipe(u).pipe(c);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    try {
      const d = await startServer('srvD', `nats://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
      servers.push(d);
      const dave = await login(d, 'dave', { pass: 'dpw' });
      const erin = await login(d, 'erin', { pass: 'epw' });
      await vi.waitFor(async () => expect((await carol.ask(207, 'dave', 209)).at(-1)!.text).toBe('dave 7'), { timeout: 15_000, interval: 300 });
      const from = d.cli.events.length;
      const seen = carol.frames.length;
      cut = true;
      for (const s of links) s.destroy();
      await d.cli.waitEvent((e) => d.cli.events.indexOf(e) >= from && String(e.text).includes('NATS is unreachable'), 10_000);
      // dave quits while D cannot tell anyone (the link stays cut until D has seen him go).
      dave.close();
      await vi.waitFor(async () => expect(await whois(erin, 'dave')).toMatch(/^605 dave /), { timeout: 10_000, interval: 100 });
      cut = false;
      await d.cli.waitEvent((e) => d.cli.events.indexOf(e) >= from && String(e.text).startsWith('cluster: rejoined'), 20_000);
      // As after an OpenNap relink: D's users are signed off and fetched afresh; dave is not among them.
      expect((await carol.waitType(210, seen, 10_000)).text).toBe('dave');
      await new Promise((r) => setTimeout(r, 2_500));
      expect(carol.frames.slice(seen).filter((f) => f.type === 209 || f.type === 210).map((f) => `${f.type} ${f.text}`)).toEqual(['210 dave']);
      expect(await whois(carol, 'dave')).toMatch(/^605 dave /);
    } finally {
      proxy.close();
      for (const s of links) s.destroy();
    }
  });

  it('starts and serves its own users alone when NATS cannot be reached, and says so', async () => {
    const cli = await startCli(['--no-chat', '--napster-server', '--napster-port', '0', '--napster-host', '127.0.0.1', '--napster-cluster', `nats://127.0.0.1:${await freePort()}`]);
    const lone: Srv = { name: 'lone', cli, port: 0 };
    servers.push(lone);
    const ready = (await cli.waitEvent((e) => e.type === 'ready', 30_000)) as unknown as { ports: Record<string, number> };
    lone.port = ready.ports.napster!;
    await cli.waitEvent((e) => String(e.text).includes('is unreachable; serving local users alone'), 20_000);
    const x = await login(lone, 'xavier', { pass: 'xpw' });
    const y = await login(lone, 'yolanda', { pass: 'ypw' });
    x.send(100, `"${SONG_A}" 00000000000000000000000000000000 4000000 128 44100 240`);
    const found = await searchUntil(y, 'FILENAME CONTAINS "cluster tune"', (l) => l.length === 1);
    expect(found[0]).toContain(' xavier ');
    expect((await nstatus(lone))[0]).toContain('NATS unreachable');
  });
});
