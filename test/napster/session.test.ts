/**
 * Scripted sessions per area (issue 12 "Tests"): real users on real sockets
 * share, search with every grammar clause, browse, whois, hotlist, chat in
 * channels, send private messages, and broker a direct and a push download,
 * each answer going to the right side (specs/napster.md §4-§6).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NapClient } from './nap-client.js';
import { startServer, transcriptFiles, type ServerFixture } from './server-fixture.js';

const LOOPBACK = '16777343';

describe('a workgroup on the Napster server', () => {
  let server: ServerFixture;
  let dir: string;
  let alice: NapClient;
  let bob: NapClient;
  let carol: NapClient;
  let dave: NapClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'napster-session-'));
    server = await startServer({ ...(await transcriptFiles(dir)), floodCommands: 0 });
    alice = await NapClient.login(server.port, 'alice', { dataPort: 6699, speed: 7 });
    bob = await NapClient.login(server.port, 'bob', { dataPort: 6700, speed: 8 });
    carol = await NapClient.login(server.port, 'carol', { dataPort: 0, speed: 3 });
    alice.send(100, '"C:\\Music\\Alpha - One Song.mp3" ffff 5000 128 44100 245');
    alice.send(100, '"C:\\Music\\Alpha - Two Song.mp3" ffff 7000 192 44100 301');
    bob.send(870, '"D:\\Jazz" "Blue Song.mp3" x 3000 130 22050 61 "Red Tune.mp3" x 9000 320 48000 500');
    carol.send(100, '"/home/carol/Alpha - Carol Song.mp3" x 4000 128 44100 180');
    alice.send(10300, '"C:\\Docs\\plan.txt" 1200 x text');
    // Shares have no reply: a 214 after them shows they are all in.
    await vi.waitFor(async () => {
      if ((await carol.ask(214, '', 214)).at(-1)!.text !== '3 6 0') throw new Error('shares not in yet');
    });
  });
  afterAll(async () => {
    for (const c of [alice, bob, carol, dave]) c?.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const paths = (frames: Array<{ type: number; text: string }>): string[] =>
    frames.filter((f) => f.type === 201).map((f) => f.text.split('"')[1]!);

  it('searches newest first with every clause, never the searcher own files, always ending in 202', async () => {
    expect(paths(await bob.ask(200, 'FILENAME CONTAINS "song" MAX_RESULTS 100', 202))).toEqual([
      '/home/carol/Alpha - Carol Song.mp3',
      'C:\\Music\\Alpha - Two Song.mp3',
      'C:\\Music\\Alpha - One Song.mp3',
    ]);
    expect(paths(await carol.ask(200, 'FILENAME CONTAINS "song -two" FILENAME EXCLUDES "one"', 202))).toEqual(['D:\\Jazz\\Blue Song.mp3']);
    expect(paths(await carol.ask(200, 'FILENAME CONTAINS "song" BITRATE "AT LEAST" "144"', 202))).toEqual([
      'D:\\Jazz\\Blue Song.mp3',
      'C:\\Music\\Alpha - Two Song.mp3',
    ]);
    expect(paths(await carol.ask(200, 'FILENAME CONTAINS "jazz" FREQ "EQUAL TO" "24000"', 202))).toEqual(['D:\\Jazz\\Blue Song.mp3']);
    expect(paths(await carol.ask(200, 'FILENAME CONTAINS "jazz" SIZE "AT LEAST" 5000 DURATION "AT BEST" 600', 202))).toEqual(['D:\\Jazz\\Red Tune.mp3']);
    expect(paths(await carol.ask(200, 'FILENAME CONTAINS "song" LINESPEED "EQUAL TO" 8 MAX_RESULTS 1', 202))).toEqual(['D:\\Jazz\\Blue Song.mp3']);
    expect(paths(await carol.ask(200, 'FILENAME CONTAINS "plan" TYPE text LOCAL_ONLY', 202))).toEqual(['C:\\Docs\\plan.txt']);
    expect(paths(await carol.ask(200, 'FILENAME CONTAINS "plan"', 202))).toEqual([]);
    const bad = await carol.ask(200, 'FILENAME CONTAINS "x" SIZE "BIGGER" 1', 202);
    expect(bad.map((f) => `${f.type} ${f.text}`)).toEqual(['404 BIGGER: invalid comparison for search', '202 ']);
    // A firewalled searcher never sees a firewalled sharer's files.
    dave = await NapClient.login(server.port, 'dave', { dataPort: 0, speed: 2 });
    expect(paths(await dave.ask(200, 'FILENAME CONTAINS "carol"', 202))).toEqual([]);
    expect(paths(await bob.ask(200, 'FILENAME CONTAINS "carol"', 202))).toEqual(['/home/carol/Alpha - Carol Song.mp3']);
  });

  it('browses a user, and says so for a user who is not there', async () => {
    const got = await carol.ask(211, 'bob', 213);
    expect(got.map((f) => f.text)).toEqual([
      `bob "D:\\Jazz\\Blue Song.mp3" 00000000000000000000000000000000 3000 144 24000 61`,
      `bob "D:\\Jazz\\Red Tune.mp3" 00000000000000000000000000000000 9000 320 48000 500`,
      `bob ${LOOPBACK}`,
    ]);
    expect((await carol.ask(211, 'nobody', 213)).map((f) => `${f.type} ${f.text}`)).toEqual(['210 nobody', '213 nobody']);
  });

  it('brokers a direct download: 607 to the uploader, its 608 gives the downloader 204', async () => {
    const from = alice.frames.length;
    bob.send(203, 'alice "C:\\Music\\Alpha - One Song.mp3"');
    expect((await alice.waitType(607, from)).text).toBe('bob "C:\\Music\\Alpha - One Song.mp3"');
    const before = bob.frames.length;
    alice.send(608, 'bob "C:\\Music\\Alpha - One Song.mp3"');
    expect((await bob.waitType(204, before)).text).toBe(`alice ${LOOPBACK} 6699 "C:\\Music\\Alpha - One Song.mp3" 00000000000000000000000000000000 7`);
    expect((await bob.ask(203, 'alice "C:\\nope.mp3"', 206)).at(-1)!.text).toBe('alice "C:\\nope.mp3"');
  });

  it('brokers a push: 204 port 0 at once, 500 -> 607, 608 -> 501 to the firewalled uploader', async () => {
    const path = '/home/carol/Alpha - Carol Song.mp3';
    expect((await bob.ask(203, `carol "${path}"`, 204)).at(-1)!.text).toBe(`carol ${LOOPBACK} 0 "${path}" 00000000000000000000000000000000 3`);
    const from = carol.frames.length;
    bob.send(500, `carol "${path}"`);
    expect((await carol.waitType(607, from)).text).toBe(`bob "${path}"`);
    const got = await carol.ask(608, `bob "${path}"`, 501);
    expect(got.at(-1)!.text).toBe(`bob ${LOOPBACK} 6700 "${path}" 00000000000000000000000000000000 8`);
    // Both firewalled: the server says so at once.
    expect((await dave.ask(500, `carol "${path}"`, 204)).at(-1)!.text).toBe(`carol ${LOOPBACK} 0 "${path}" firewallerror 3`);
    expect((await bob.ask(500, 'alice "C:\\Music\\Alpha - One Song.mp3"', 404)).at(-1)!.text).toBe('alice is not firewalled');
    expect((await dave.ask(640, 'carol', 642)).at(-1)!.text).toBe('carol "Both you and carol are firewalled; you cannot browse or download from them."');
  });

  it('relays queue limits, data-port errors and direct browse with the sender nick', async () => {
    let from = bob.frames.length;
    alice.send(619, 'bob "C:\\Music\\Alpha - One Song.mp3" 3');
    expect((await bob.waitType(620, from)).text).toBe('alice "C:\\Music\\Alpha - One Song.mp3" 5000 3');
    from = alice.frames.length;
    bob.send(626, 'alice');
    expect((await alice.waitType(626, from)).text).toBe('bob');
    from = carol.frames.length;
    bob.send(640, 'carol');
    expect((await carol.waitType(640, from)).text).toBe(`bob ${LOOPBACK} 6700`);
    from = alice.frames.length;
    bob.send(640, 'alice');
    expect((await alice.waitType(640, from)).text).toBe('bob');
    from = bob.frames.length;
    alice.send(641, 'bob');
    expect((await bob.waitType(641, from)).text).toBe(`alice ${LOOPBACK} 6699`);
    // A browsee that refuses (a peerdeck extension): the requester gets a server-style 642 at once.
    from = bob.frames.length;
    carol.send(642, 'bob "carol does not allow direct browsing"');
    expect((await bob.waitType(642, from)).text).toBe('carol "carol does not allow direct browsing"');
    from = bob.frames.length;
    carol.send(642, 'bob');
    expect((await bob.waitType(642, from)).text).toBe('carol "carol does not allow direct browsing"');
    expect((await carol.ask(642, 'nobody', 404)).at(-1)!.text).toBe('User is not currently online.');
    expect((await carol.ask(642, '', 404)).at(-1)!.text).toBe('parameters are unparsable');
  });

  it('chats in channels: join lists, 403 to everyone including the sender, topic, part', async () => {
    const a = await alice.ask(400, 'team', 404);
    expect(a.map((f) => `${f.type} ${f.text}`)).toEqual([
      '405 #team',
      '408 #team alice 3 7',
      '409 #team',
      '410 #team Welcome to the #team channel.',
      '404 Server localhost set you as operator on channel #team',
    ]);
    const from = alice.frames.length;
    const b = await bob.ask(400, '#team', 410);
    expect(b.map((f) => f.type)).toEqual([405, 408, 408, 409, 410]);
    expect((await alice.waitType(406, from)).text).toBe('#team bob 2 8');
    const long = 'y'.repeat(300);
    bob.send(402, `#team ${long}`);
    const heard = await alice.waitType(403, from);
    expect(heard.text).toBe(`#team bob ${'y'.repeat(180 - '#team '.length)}`);
    expect((await bob.waitType(403)).text).toBe(heard.text);
    expect((await bob.ask(410, '#team bob topic', 404)).at(-1)!.text).toBe('topic failed: permission denied');
    // 824 as opennap's public.c: the text is a field, sent on quoted; a long one is cut to 180 bytes
    // with its closing quote kept; no text at all is unparsable.
    const e = alice.frames.length;
    bob.send(824, '#team waves');
    expect((await alice.waitType(824, e)).text).toBe('#team bob "waves"');
    const e2 = alice.frames.length;
    bob.send(824, `#team "${'w'.repeat(300)}"`);
    expect((await alice.waitType(824, e2)).text).toBe(`#team bob "${'w'.repeat(180 - '#team "'.length - 1)}"`);
    expect((await bob.ask(824, '#team', 404)).at(-1)!.text).toBe('parameters are unparsable');
    expect((await bob.ask(617, '', 617)).map((f) => f.text)).toEqual(['#team 2 Welcome to the #team channel.', '']);
    const p = alice.frames.length;
    expect((await bob.ask(401, '#team', 401)).at(-1)!.text).toBe('#team');
    expect((await alice.waitType(407, p)).text).toBe('#team bob 2 8');
  });

  it('delivers private messages cut to 180 bytes, honours ignore lists, and answers pings and whois', async () => {
    const from = carol.frames.length;
    alice.send(205, `carol ${'z'.repeat(400)}`);
    expect((await carol.waitType(205, from)).text).toBe(`alice ${'z'.repeat(180 - 'carol '.length)}`);
    expect((await carol.ask(322, 'alice', 322)).at(-1)!.text).toBe('alice');
    expect((await alice.ask(205, 'carol hi', 404)).at(-1)!.text).toBe('carol is ignoring you');
    expect((await carol.ask(323, 'alice', 323)).at(-1)!.text).toBe('alice');
    // As opennap's privmsg.c splits it: an empty text after the space is delivered (with the space);
    // no space at all is unparsable; an empty name is nobody online.
    const ef = carol.frames.length;
    alice.send(205, 'carol ');
    expect((await carol.waitType(205, ef)).text).toBe('alice ');
    expect((await alice.ask(205, 'carol', 404)).at(-1)!.text).toBe('parameters are unparsable');
    expect((await alice.ask(205, '', 404)).at(-1)!.text).toBe('parameters are unparsable');
    expect((await alice.ask(205, ' carol hi', 404)).at(-1)!.text).toBe('User is not currently online.');
    const pf = carol.frames.length;
    alice.send(751, 'carol');
    await carol.waitType(751, pf);
    expect((await alice.ask(205, 'nobody hi', 404)).at(-1)!.text).toBe('User is not currently online.');
    const w = (await carol.ask(603, 'alice', 604)).at(-1)!.text;
    expect(w).toMatch(/^alice "User" \d+ " #team " "Active" 3 0 0 7 "test client"$/);
    expect((await carol.ask(603, 'napadmin', 404)).map((f) => f.text)).toEqual(['napadmin "Elite" 0', 'User is not currently online.']);
    expect((await carol.ask(600, 'bob', 601)).at(-1)!.text).toBe('bob 8');
  });

  it('answers a server ping named for it (any case) as the empty one, with the trailing space; another name is no such server', async () => {
    expect((await carol.ask(750, '', 750)).at(-1)!.text).toBe('localhost ');
    expect((await carol.ask(750, 'localhost', 750)).at(-1)!.text).toBe('localhost ');
    expect((await carol.ask(750, 'LocalHost 123 456', 750)).at(-1)!.text).toBe('localhost 123 456');
    expect((await carol.ask(750, 'elsewhere', 404)).at(-1)!.text).toBe('server ping failed: no such server');
  });

  it('keeps a hotlist: 301 and 209 now, 210 when the user leaves, 209 when back', async () => {
    const got = await alice.ask(207, 'dave', 209);
    expect(got.map((f) => `${f.type} ${f.text}`)).toEqual(['301 dave', '209 dave 2']);
    const from = alice.frames.length;
    dave.close();
    expect((await alice.waitType(210, from)).text).toBe('dave');
    dave = await NapClient.login(server.port, 'dave', { dataPort: 0, speed: 2 });
    expect((await alice.waitType(209, from)).text).toBe('dave 2');
  });

  it('gives moderators kill, muzzle, level and announce; others get permission denied', async () => {
    expect((await bob.ask(610, 'carol', 404)).at(-1)!.text).toBe('permission denied');
    const admin = await NapClient.login(server.port, 'napadmin', { pass: 'adminpw' });
    let from = carol.frames.length;
    admin.send(622, 'carol "be quiet"');
    expect((await carol.waitType(404, from)).text).toBe('You have been muzzled by napadmin: be quiet');
    expect((await carol.ask(400, '#x', 404)).at(-1)!.text).toBe("channel join failed: can't join channels while muzzled");
    // As opennap's public.c: muzzled is said before membership, a 402 with a period, an 824 without.
    expect((await carol.ask(402, '#x hello', 404)).at(-1)!.text).toBe('You are muzzled.');
    expect((await carol.ask(824, '#x "waves"', 404)).at(-1)!.text).toBe('You are muzzled');
    // A 402 with a channel name and no text is unparsable to opennap, member or not.
    expect((await alice.ask(402, '#nosuch', 404)).at(-1)!.text).toBe('parameters are unparsable');
    admin.send(606, 'bob Moderator');
    await expect.poll(async () => (await carol.ask(603, 'bob', 604)).at(-1)!.text).toMatch(/^bob "Moderator"/);
    from = alice.frames.length;
    admin.send(628, 'server going down soon');
    expect((await alice.waitType(628, from)).text).toBe('napadmin server going down soon');
    from = dave.frames.length;
    bob.send(610, 'dave "go away"');
    expect((await dave.waitType(404, from)).text).toBe('You were killed by bob: go away');
    await dave.waitClosed();
    admin.send(612, 'dave "banned"');
    const again = await NapClient.open(server.port);
    again.send(2, 'dave pw 0 "x" 2');
    expect((await again.waitType(0)).text).toBe('You are banned from this server: banned');
    await again.waitClosed();
    expect((await admin.ask(615, '', 615)).map((f) => f.type)).toEqual([616, 615]);
    admin.send(614, 'dave');
    dave = await NapClient.login(server.port, 'dave', { dataPort: 0, speed: 2 });
    admin.close();
  });

  it('takes a new data port (703) and link speed (700) as opennap reads them (atoi), refusing only values out of range', async () => {
    // MP3::Napster's way: log in with port 0, then say the port with 703.
    const erin = await NapClient.login(server.port, 'erin', { dataPort: 0, speed: 2 });
    try {
      erin.send(100, '"C:\\Erin\\Late Song.mp3" x 1000 128 44100 60');
      await vi.waitFor(async () => expect(paths(await alice.ask(200, 'FILENAME CONTAINS "late song"', 202))).toEqual(['C:\\Erin\\Late Song.mp3']));
      erin.send(703, '6801 trailing words');
      erin.send(700, '9x');
      const from = erin.frames.length;
      alice.send(203, 'erin "C:\\Erin\\Late Song.mp3"');
      expect((await erin.waitType(607, from)).text).toBe('alice "C:\\Erin\\Late Song.mp3"');
      const before = alice.frames.length;
      erin.send(608, 'alice "C:\\Erin\\Late Song.mp3"');
      expect((await alice.waitType(204, before)).text).toBe(`erin ${LOOPBACK} 6801 "C:\\Erin\\Late Song.mp3" 00000000000000000000000000000000 9`);
      expect((await erin.ask(703, '70000', 404)).at(-1)!.text).toBe('invalid data port');
      expect((await erin.ask(703, '-1', 404)).at(-1)!.text).toBe('invalid data port');
      expect((await erin.ask(700, '11', 404)).at(-1)!.text).toBe('invalid speed');
      // Not a number is 0: firewalled again, and the downloader gets the immediate 204 with port 0.
      erin.send(703, 'none');
      expect((await alice.ask(203, 'erin "C:\\Erin\\Late Song.mp3"', 204)).at(-1)!.text).toBe(`erin ${LOOPBACK} 0 "C:\\Erin\\Late Song.mp3" 00000000000000000000000000000000 9`);
    } finally {
      erin.close();
    }
  });

  it('joins an 870 directory that already ends with \\ without doubling it, as OpenNap does (TekNap shares that way)', async () => {
    bob.send(870, '"\\home\\bob\\folk\\" "Green Air.mp3" x 2000 128 44100 100');
    await vi.waitFor(async () => expect(paths(await alice.ask(200, 'FILENAME CONTAINS "green air"', 202))).toEqual(['\\home\\bob\\folk\\Green Air.mp3']));
    bob.send(102, '\\home\\bob\\folk\\Green Air.mp3');
    await vi.waitFor(async () => expect(paths(await alice.ask(200, 'FILENAME CONTAINS "green air"', 202))).toEqual([]));
  });
});
