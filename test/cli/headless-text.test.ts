import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clisStoppedAfterEach, type CliNode } from './cli-process.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
const cli = clisStoppedAfterEach();
const text = { json: false } as const;

/** Waits for a line matching `re` on the node's stdout; returns it. */
async function line(n: CliNode, re: RegExp): Promise<string> {
  let found: string | undefined;
  await vi.waitFor(
    () => {
      found = n.lines.find((l) => re.test(l));
      if (found === undefined) throw new Error(`no line matching ${re}; got:\n${n.lines.join('\n')}\n${n.stderr().slice(-500)}`);
    },
    { timeout: 20_000, interval: 20 },
  );
  return found!;
}

describe('headless text lines (the real CLI, without --json)', () => {
  it('a node with no listening ports says so after "ready"', async () => {
    const n = await cli(['--no-chat', '--no-discovery'], text);
    await line(n, /^ready/);
    expect(n.lines[0]).toBe('ready (no listening ports)');
    n.proc.stdin.end();
    expect(await n.exited()).toBe(0);
  });

  it('/rescan says what it found in one line: its share.ready is not printed beside the answer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-text-cli-'));
    dirs.push(dir);
    await writeFile(join(dir, 'a.txt'), 'one\n');
    const n = await cli(['--no-chat', '--no-discovery', '--share', dir], text);
    await line(n, /^hashed/);
    expect(n.lines.filter((l) => l.startsWith('sharing'))).toEqual(['sharing 1 file (4 B)']);
    const before = n.lines.length;
    n.send('/rescan');
    n.send('/shares'); // its answer comes after /rescan's, and after every line of that scan
    await line(n, /still to hash/);
    await line(n, /^hashed the 1 file \(0 new\)/);
    // One line says what the scan found (the answer), then the hashing that followed it: a warm
    // cache's share.hashed comes before the answer, and was printed above it.
    const said = n.lines.slice(before).filter((l) => l.startsWith('sharing') || l.startsWith('hashed'));
    expect(said).toHaveLength(2);
    expect(said[0]).toBe('sharing 1 file (4 B)');
    expect(said[1]).toMatch(/^hashed the 1 file \(0 new\) in \d+ ms$/);
    // A change the watcher finds (no /rescan) is still said by its share.ready.
    await writeFile(join(dir, 'b.txt'), 'two!\n');
    await line(n, /^sharing 2 files \(9 B\)$/);
    n.proc.stdin.end();
    expect(await n.exited()).toBe(0);
  });

  it("passes no bidi override or isolate of a peer's chat line to the operator's log", async () => {
    const alice = await cli(['--chat-port', '0', '--chat-host', '127.0.0.1', '--no-discovery', '--nick', 'alice'], text);
    const port = Number(/^ready chat=(\d+)$/.exec(await line(alice, /^ready chat=\d+$/))![1]);
    // A plain peer (what `nc` is): `nick: text` lines.
    const sock = connect(port, '127.0.0.1');
    sock.on('error', () => undefined);
    sock.write('mallory: pay \u202eyrros\u202c to \u2066bob\u2069 now\n');
    const shown = await line(alice, /<mallory>/);
    sock.destroy();
    expect(shown).toMatch(/^\d\d:\d\d <mallory> pay yrros to bob now$/);
  });

  it('a search, a download and its upload, in words on both sides', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-text-cli-'));
    dirs.push(dir);
    const share = join(dir, 'share');
    await mkdir(share);
    await writeFile(join(share, 'hello.txt'), 'hi there\n');
    const p2 = ['--no-chat', '--no-discovery', '--pplus2-host', '127.0.0.1', '--pplus2-port', '0'];
    const a = await cli([...p2, '--share', share], text);
    const port = Number(/^ready pplus2=(\d+)$/.exec(await line(a, /^ready pplus2=\d+$/))![1]);
    await line(a, /^hashed/);
    const b = await cli([...p2, '--pplus2-peer', `127.0.0.1:${port}`], text);
    await line(b, /^ready/);
    b.send('/search -type document hello');
    expect(await line(b, /^search s1 done/)).toBe('search s1 done on pplus2: 1 hit from 1 peer');
    // One line says the search began, with its filters (search.started and the answer both said it).
    expect(b.lines.filter((l) => l.startsWith('search s1') && !l.includes(' done '))).toEqual(['search s1: asking pplus2 for "hello -type document"']);
    b.send('/get 1');
    const got = await line(b, /^transfer 1 done/);
    // The answer says which download /get made; the queued event is not a second line saying it.
    expect(b.lines).toContain(`downloading "hello.txt" from 127.0.0.1:${port} [pplus2] as transfer #1`);
    expect(b.lines.filter((l) => l.startsWith('transfer 1 queued'))).toEqual([]);
    const sha1 = createHash('sha1').update('hi there\n').digest('hex');
    expect(got).toBe(`transfer 1 done: hello.txt from 127.0.0.1:${port} saved as ${join(b.dataDir, 'downloads', 'hello.txt')} (9 B, sha1 ${sha1}, verified)`);
    const sent = await line(a, /^transfer \d+ done/);
    expect(sent).toBe(`transfer 1 done: sent hello.txt to 127.0.0.1 (9 B from ${join(share, 'hello.txt')})`);
  });

  it('/cancel says which file it stopped in one line: the cancel event that follows is not a second line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerdeck-text-cli-'));
    dirs.push(dir);
    const share = join(dir, 'share');
    await mkdir(share);
    await writeFile(join(share, 'slow.txt'), 'never sent\n');
    const p2 = ['--no-chat', '--no-discovery', '--pplus2-host', '127.0.0.1', '--pplus2-port', '0'];
    const a = await cli([...p2, '--share', share], text);
    const port = Number(/^ready pplus2=(\d+)$/.exec(await line(a, /^ready pplus2=\d+$/))![1]);
    await line(a, /^hashed/);
    const b = await cli([...p2, '--pplus2-peer', `127.0.0.1:${port}`], text);
    await line(b, /^ready/);
    b.send('/search slow');
    await line(b, /^search s1 done/);
    // The uploader answers nothing now: the download waits, running, until it is cancelled.
    a.proc.kill('SIGSTOP');
    try {
      b.send('/get 1');
      await line(b, /^downloading "slow\.txt"/);
      b.send('/cancel 1');
      expect(await line(b, /^cancelled #1/)).toBe('cancelled #1: slow.txt (its .part stays for /retry)');
      // The cancel takes effect once the download has stopped: ask until /downloads says so.
      await vi.waitFor(
        () => {
          b.send('/downloads');
          expect(b.lines.some((l) => /^#1 down .* cancelled slow\.txt/.test(l))).toBe(true);
        },
        { timeout: 20_000, interval: 250 },
      );
      expect(b.lines.filter((l) => l.startsWith('transfer 1 cancelled'))).toEqual([]);
    } finally {
      a.proc.kill('SIGCONT');
    }
  });
});
