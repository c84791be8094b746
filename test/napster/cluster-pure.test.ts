/** The cluster's pure parts (issue 15): flags, routing, merging answers, the directory, message guards. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameBatch } from '../../protocols/napster/codec.js';
import { ClusterDirectory, DEAD_AFTER_MS } from '../../protocols/napster/server/cluster/cluster-directory.js';
import { mergeResults, splitFrames, withoutEnd } from '../../protocols/napster/server/cluster/cluster-frames.js';
import * as M from '../../protocols/napster/server/cluster/cluster-messages.js';
import { parseClusterFlags } from '../../protocols/napster/server/cluster/cluster-options.js';
import { targetOf } from '../../protocols/napster/server/cluster/cluster-routing.js';
import { DEFAULT_SERVER_OPTIONS, parseNapsterFlags } from '../../protocols/napster/options.js';
import { AccountStore } from '../../protocols/napster/server/account-store.js';
import { decideNickClash, type ClusterLogin } from '../../protocols/napster/server/login-policy.js';
import { statePage } from '../../protocols/napster/server/cluster/cluster-events.js';
import { ProxySession } from '../../protocols/napster/server/cluster/proxy-session.js';
import { ServerState } from '../../protocols/napster/server/server-state.js';
import { systemClock } from '../../src/clock.js';
import { Logger } from '../../src/log.js';

describe('--napster-cluster flags', () => {
  it('takes repeated nats:// URLs, a name and a creds file; nothing without them', () => {
    expect(parseClusterFlags({})).toBeUndefined();
    expect(parseClusterFlags({ 'napster-cluster': ['nats://127.0.0.1:4222', 'nats://[::1]:4223'], 'napster-cluster-name': 'team-1', 'napster-cluster-creds': '/x.creds' })).toEqual({
      urls: ['nats://127.0.0.1:4222', 'nats://[::1]:4223'],
      name: 'team-1',
      credsFile: '/x.creds',
    });
    expect(parseClusterFlags({ 'napster-cluster': ['nats://h:1'] })?.name).toBe('peerdeck');
    expect(parseNapsterFlags({ 'napster-server': true })?.cluster).toBeUndefined();
    expect(parseNapsterFlags({ 'napster-server': true, 'napster-cluster': ['nats://h:1'] })?.cluster?.urls).toEqual(['nats://h:1']);
  });

  it('refuses bad URLs, names, and a name or creds without a URL', () => {
    expect(() => parseClusterFlags({ 'napster-cluster': ['http://h:1'] })).toThrow(/nats:\/\/host:port/);
    expect(() => parseClusterFlags({ 'napster-cluster': ['nats://h:1/x'] })).toThrow(/nats:\/\/host:port/);
    expect(() => parseClusterFlags({ 'napster-cluster': ['nats://h:1'], 'napster-cluster-name': 'a.b' })).toThrow(/cluster-name/);
    expect(() => parseClusterFlags({ 'napster-cluster-name': 'x' })).toThrow(/needs --napster-cluster/);
    expect(() => parseClusterFlags({ 'napster-cluster-creds': 'x' })).toThrow(/needs --napster-cluster/);
    expect(() => parseNapsterFlags({ 'napster-cluster': ['nats://h:1'] })).toThrow(/needs --napster-server/);
  });
});

describe('which commands go to the target user\'s server', () => {
  it('finds the nick each targeted command names, and the sender\'s path for 608/619', () => {
    expect(targetOf(205, 'bob hello there')).toEqual({ nick: 'bob' });
    expect(targetOf(203, 'bob "C:\\a b.mp3"')).toEqual({ nick: 'bob' });
    expect(targetOf(608, 'carol "C:\\a b.mp3"')).toEqual({ nick: 'carol', senderPath: 'C:\\a b.mp3' });
    expect(targetOf(619, 'carol "C:\\x.mp3" 3')).toEqual({ nick: 'carol', senderPath: 'C:\\x.mp3' });
    expect(targetOf(603, ' dave ')).toEqual({ nick: 'dave' });
    expect(targetOf(211, 'eve 10')).toEqual({ nick: 'eve' });
    expect(targetOf(200, 'FILENAME CONTAINS "x"')).toBeUndefined();
    expect(targetOf(205, '')).toBeUndefined();
    expect(targetOf(203, '"unterminated')).toBeUndefined();
  });
});

describe('merging a scattered search', () => {
  const result = (n: number): Buffer => encodeFrame(201, `"C:\\f${n}.mp3" 0 1 128 44100 10 u${n} 1 7`);

  it('keeps local results first, then the others in reply order, at most max, then one 202', () => {
    const local = splitFrames(withoutEnd(Buffer.concat([result(1), result(2), encodeFrame(202)])))!;
    const merged = splitFrames(mergeResults(local, [Buffer.concat([result(3), result(4)]), result(5)], 4))!;
    expect(merged.map((f) => f.type)).toEqual([201, 201, 201, 201, 202]);
    expect(merged.slice(0, 4).map((f) => f.payload.toString('latin1').split(' ')[6])).toEqual(['u1', 'u2', 'u3', 'u4']);
  });

  it('passes a local 404 through and ignores anything but 201 from other servers', () => {
    const local = splitFrames(new FrameBatch().add(404, 'bad query').toBuffer())!;
    const merged = splitFrames(mergeResults(local, [Buffer.concat([encodeFrame(205, 'x y'), result(1)])], 100))!;
    expect(merged.map((f) => f.type)).toEqual([404, 201, 202]);
  });

  it('survives any bytes from another server: only whole, valid 201 frames count, and 202 always ends', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }), fc.integer({ min: 1, max: 100 }), (answers, max) => {
        const out = splitFrames(mergeResults([], answers.map((a) => Buffer.from(a)), max))!;
        expect(out.at(-1)!.type).toBe(202);
        expect(out.slice(0, -1).every((f) => f.type === 201)).toBe(true);
        expect(out.length - 1).toBeLessThanOrEqual(max);
      }),
    );
  });
});

describe('the cluster directory', () => {
  const beat = (id: string): M.Beat => ({ id, name: `n-${id}`, users: 1, files: 10, bytes: 100 });
  const user = (nick: string, server: string) => ({ nick, server, ip: '127.0.0.1', ipNum: 16777343, port: 6699, speed: 7, shared: 1 });

  it('learns servers by heartbeat, users by event, and drops a silent server with all it held', () => {
    const d = new ClusterDirectory('self');
    expect(d.beat(beat('self'), 0)).toBe(false);
    expect(d.beat(beat('a'), 0)).toBe(true);
    expect(d.signOn(user('Alice', 'a'))).toBe(true);
    expect(d.signOn(user('ghost', 'unknown'))).toBe(false);
    d.join('#team', 'a', { nick: 'Alice', shared: 1, speed: 7 });
    expect(d.user('alice')?.server).toBe('a');
    expect(d.members('#TEAM')).toEqual([{ nick: 'Alice', shared: 1, speed: 7 }]);
    expect(d.totals()).toEqual({ users: 1, files: 10, bytes: 100 });
    d.beat(beat('a'), DEAD_AFTER_MS - 1);
    expect(d.expire(DEAD_AFTER_MS)).toEqual({ users: [], parts: [] });
    expect(d.expire(2 * DEAD_AFTER_MS)).toEqual({ users: [user('Alice', 'a')], parts: [{ channel: '#team', member: { nick: 'Alice', shared: 1, speed: 7 } }] });
    expect(d.user('alice')).toBeUndefined();
    expect(d.members('#team')).toEqual([]);
    expect(d.servers.size).toBe(0);
  });

  it('only removes a user on sign-off from the server it is on now (a ghosted nick moved on)', () => {
    const d = new ClusterDirectory('self');
    d.beat(beat('a'), 0);
    d.beat(beat('b'), 0);
    d.signOn(user('eve', 'a'));
    d.signOn(user('eve', 'b'));
    expect(d.signOff(user('eve', 'a'))).toBe(false);
    expect(d.user('eve')?.server).toBe('b');
  });

  it('says who a synced server brought (for 209 and 406), and nobody twice when its state is fetched again', () => {
    const d = new ClusterDirectory('self');
    d.beat(beat('a'), 0);
    const state = [user('Alice', 'a'), user('bob', 'a'), user('mallory', 'b')];
    const channels = [{ name: '#Team', members: [{ nick: 'bob', shared: 1, speed: 7 }, { nick: 'Alice', shared: 1, speed: 7 }] }];
    expect(d.sync('a', state, channels)).toEqual({
      users: [user('Alice', 'a'), user('bob', 'a')],
      joins: [{ channel: '#Team', member: { nick: 'Alice', shared: 1, speed: 7 } }, { channel: '#Team', member: { nick: 'bob', shared: 1, speed: 7 } }],
    });
    expect(d.members('#team').map((m) => m.nick)).toEqual(['bob', 'Alice']);
    expect(d.sync('a', state, channels)).toEqual({ users: [], joins: [] });
    expect(d.sync('unknown', [user('x', 'unknown')], [])).toEqual({ users: [], joins: [] });
  });
});

describe('messages between servers', () => {
  it('guards every body: random JSON never passes as a command, search, state or event it is not', () => {
    const guards = [M.isBeat, M.isBye, M.isUserEvent, M.isChanEvent, M.isCmdRequest, M.isSearchRequest, M.isSearchReply, M.isStateReply, M.isGhostRequest];
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        for (const g of guards) expect(typeof g(v)).toBe('boolean');
      }),
    );
    expect(M.isBeat({ id: 'a.b', name: 'x', users: 1, files: 1, bytes: 1 })).toBe(false);
    expect(M.isCmdRequest({ type: 205, text: 'x y', from: { server: 's', nick: 'n', ip: '1', port: 0, speed: 0, level: 0, shares: ['a', 'b', 'c', 'd', 'e'], size: 0 } })).toBe(false);
    expect(M.parseBody(Buffer.from('{nope'))).toBeUndefined();
  });
});

describe('the state a server hands a newcomer', () => {
  it('comes in pages of at most STATE_PAGE_USERS users that together list every user once, channels on page 0', () => {
    const o = DEFAULT_SERVER_OPTIONS;
    const st = new ServerState(
      { name: 'x', version: 'v', motd: [], registeredOnly: false, autoRegister: true, maxConnections: o.maxConnections, maxClones: 0, loginTimeoutMs: 1000, statsIntervalMs: 1000, floodCommands: 0, floodWindowMs: 1000, maxShares: 10 },
      new AccountStore('/nonexistent/accounts.json'),
      systemClock,
      new Logger([]),
    );
    const n = M.STATE_PAGE_USERS * 2 + 7;
    for (let i = 0; i < n; i++) st.attach(new ProxySession({ server: 'p', nick: `u${i}`, ip: '127.0.0.1', port: 1, speed: 3, level: 1, shares: [], size: 0 }));
    st.channels.create('#room', st.online('u1')!);
    const pages = [0, 1, 2].map((p) => statePage(st, 'me', p));
    expect(pages.map((p) => [p.users.length, p.more, p.channels.length])).toEqual([[M.STATE_PAGE_USERS, true, 1], [M.STATE_PAGE_USERS, true, 0], [7, false, 0]]);
    const nicks = new Set(pages.flatMap((p) => p.users.map((u) => u.nick)));
    expect(nicks.size).toBe(n);
    expect(pages.every((p) => M.isStateReply(JSON.parse(JSON.stringify(p))))).toBe(true);
    expect(pages[0]!.users[0]).toEqual({ nick: 'u0', server: 'me', ip: '127.0.0.1', ipNum: 16777343, port: 1, speed: 3, shared: 0, at: 0 });
    expect(pages[0]!.channels).toEqual([{ name: '#room', members: [{ nick: 'u1', shared: 0, speed: 3 }] }]);
  });
});

describe('one nick admitted on two servers at once', () => {
  const login = fc.record({ ip: fc.constantFrom('127.0.0.1', '10.0.0.2'), at: fc.integer({ min: 0, max: 5 }), server: fc.constantFrom('aaaaaaaaaaaa', 'bbbbbbbbbbbb') });

  it('both servers agree: exactly one of the two logins stands, whatever the clocks say', () => {
    fc.assert(
      fc.property(login, login, (x: ClusterLogin, y: ClusterLogin) => {
        fc.pre(x.server !== y.server);
        const kept = [decideNickClash(x, y), decideNickClash(y, x)].filter((v) => v === 'keep');
        expect(kept).toHaveLength(1);
      }),
    );
  });

  it('keeps the newer login from the same address (rule 7 ghosts the older) and the older from another address', () => {
    const a = { ip: '127.0.0.1', at: 100, server: 'aaaaaaaaaaaa' };
    expect(decideNickClash(a, { ...a, at: 101, server: 'bbbbbbbbbbbb' })).toBe('ghost');
    expect(decideNickClash(a, { ...a, at: 99, server: 'bbbbbbbbbbbb' })).toBe('keep');
    expect(decideNickClash(a, { ip: '10.0.0.2', at: 101, server: 'bbbbbbbbbbbb' })).toBe('keep');
    expect(decideNickClash(a, { ip: '10.0.0.2', at: 99, server: 'bbbbbbbbbbbb' })).toBe('refuse');
    // The same millisecond: the server id decides, the same way on both sides.
    expect(decideNickClash(a, { ...a, server: 'bbbbbbbbbbbb' })).toBe('ghost');
    expect(decideNickClash({ ...a, server: 'bbbbbbbbbbbb' }, a)).toBe('keep');
  });
});
