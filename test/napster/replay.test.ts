/**
 * Every transcript recorded from a real opennap 0.44 (../shared/vectors/napster/)
 * replayed against our server, in order on one server (later transcripts use
 * the users and shares of earlier ones): each connection must receive exactly
 * the recorded frames, byte for byte, modulo what the brief allows to differ:
 * the VERSION line, counters (connections, online seconds, last seen), the
 * order of 212 browse lines (OpenNap lists a user's files in hash-table order)
 * and of 201 results: the recording's order reflects how alice's third share
 * and carol's share, in flight at the same moment, happened to interleave in
 * OpenNap's select loop (search.test.ts checks newest-first on its own).
 * The recorder stopped reading some connections early (alice never read the
 * 406/403 eve caused in 10, bob the 210/209 of the ghost kill in 09), so at
 * the end of a transcript a connection may hold more than was recorded; what
 * was recorded must be there, in order, before it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NapClient, type Received } from './nap-client.js';
import { startServer, transcriptFiles, type ServerFixture } from './server-fixture.js';
import { readTranscript, type Step } from './transcript.js';

const DIR = '/work/shared/vectors/napster';
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();

/** Replaces what may differ between two servers (see the file comment). */
function normalise(type: number, text: string): string {
  if (type === 621 && text.startsWith('VERSION ')) return 'VERSION *';
  if (type === 621) return text.replace(/^There have been \d+ connections/, 'There have been N connections');
  if (type === 604) return text.replace(/^(\S+ "\w+") \d+ /, '$1 SECS ');
  if (type === 605) return text.replace(/ \d+$/, ' LASTSEEN');
  return text;
}

function show(frames: Array<{ type: number; text: string }>): string[] {
  return frames.map((f) => `${f.type} ${normalise(f.type, f.text)}`);
}

/** Sorts runs of 201 or 212 lines so that only their set is compared. */
function sortBrowseRuns(lines: string[]): string[] {
  const out = [...lines];
  for (let i = 0; i < out.length; ) {
    const kind = out[i]!.slice(0, 4);
    if (kind !== '212 ' && kind !== '201 ') {
      i++;
      continue;
    }
    let j = i;
    while (j < out.length && out[j]!.startsWith(kind)) j++;
    out.splice(i, j - i, ...out.slice(i, j).sort());
    i = j;
  }
  return out;
}

interface Live {
  client: NapClient;
  expected: Array<{ type: number; text: string }>;
}

describe('replaying opennap 0.44 transcripts', () => {
  let server: ServerFixture;
  let dir: string;
  const conns = new Map<string, Live>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'napster-replay-'));
    server = await startServer({ ...(await transcriptFiles(dir)), floodCommands: 0 });
  });
  afterAll(async () => {
    for (const c of conns.values()) c.client.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function live(who: string): Live {
    const c = conns.get(who);
    if (!c) throw new Error(`no connection ${who}`);
    return c;
  }

  async function settle(who: string, file: string): Promise<void> {
    const c = live(who);
    await c.client.waitCount(c.expected.length).catch(() => undefined);
    expect(sortBrowseRuns(show(c.client.frames)), `${file}: frames received by ${who}`).toEqual(sortBrowseRuns(show(c.expected)));
  }

  for (const file of FILES) {
    it(`answers ${file} as opennap 0.44 did`, async () => {
      const steps: Step[] = readTranscript(join(DIR, file));
      for (const step of steps) {
        switch (step.kind) {
          case 'connect': {
            const client = await NapClient.open(server.port);
            conns.set(step.who, { client, expected: [] });
            break;
          }
          case 'expect':
            live(step.who).expected.push({ type: step.type, text: step.payload.toString('latin1') });
            break;
          case 'send': {
            // Before each client frame, every connection has what the recording shows it had by then.
            for (const c of conns.values()) {
              if (!c.client.closed) await c.client.waitCount(c.expected.length).catch(() => undefined);
            }
            const c = live(step.who);
            if (step.byteByByte) {
              for (const b of step.bytes) {
                c.client.write(Buffer.from([b]));
                await new Promise((r) => setTimeout(r, 2));
              }
            } else {
              c.client.write(step.bytes);
            }
            // A login: later transcripts name the connection by its nick.
            if ((step.type === 2 || step.type === 6) && step.text) {
              const nick = step.text.split(' ')[0]!;
              if (!conns.has(nick)) conns.set(nick, c);
            }
            break;
          }
          case 'eof':
            await settle(step.who, file);
            await live(step.who).client.waitClosed();
            break;
          case 'close': {
            const c = live(step.who);
            if (!c.client.closed) {
              await new Promise((r) => setTimeout(r, 100)); // room for frames the recording says never came
              await settle(step.who, file);
            }
            c.client.close();
            await c.client.closedPromise;
            break;
          }
        }
      }
      for (const [who, c] of conns) {
        if (c.client.closed) continue;
        await c.client.waitCount(c.expected.length).catch(() => undefined);
        const got = sortBrowseRuns(show(c.client.frames.slice(0, c.expected.length)));
        expect(got, `${file}: frames received by ${who}`).toEqual(sortBrowseRuns(show(c.expected)));
        c.client.frames.length = 0;
        c.expected.length = 0;
      }
    });
  }
});

export type { Received };
