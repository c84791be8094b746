/**
 * What OpenNap does with shares at the edges (specs/napster.md §4.1, §7;
 * opennap add_file.c): a 0-byte file shared with 100 is indexed and found like
 * any other, while 870 refuses a size under 1 (`invalid size`) and goes on with
 * the rest of the directory; a path that leaves no word to index gets
 * `Sorry, unable to parse '<path>'` instead of being kept where no search finds it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NapClient } from './nap-client.js';
import { startServer, type ServerFixture } from './server-fixture.js';

describe('share edge cases, as OpenNap', () => {
  let server: ServerFixture;
  let sharer: NapClient;
  let seeker: NapClient;
  beforeAll(async () => {
    server = await startServer({ floodCommands: 0 });
    sharer = await NapClient.login(server.port, 'sharer', { dataPort: 6699 });
    seeker = await NapClient.login(server.port, 'seeker', { dataPort: 6700 });
  });
  afterAll(async () => {
    sharer?.close();
    seeker?.close();
    await server.stop();
  });

  const notices = async (type: number, text: string): Promise<string[]> =>
    (await sharer.ask(type, text, 214).then(async (got) => got)).filter((f) => f.type === 404).map((f) => f.text);
  const found = async (words: string): Promise<string[]> =>
    (await seeker.ask(200, `FILENAME CONTAINS "${words}" MAX_RESULTS 100`, 202)).filter((f) => f.type === 201).map((f) => f.text.split('" ')[0]!.slice(1));

  it('100: an empty file is indexed and found (opennap stores any size)', async () => {
    sharer.send(100, '"C:\\Share\\Empty Tune.mp3" 00000000000000000000000000000000 0 0 0 0');
    expect(await notices(214, '')).toEqual([]);
    expect(await found('empty tune')).toEqual(['C:\\Share\\Empty Tune.mp3']);
  });

  it('870: a size under 1 gets "invalid size" and the other files of the directory are still shared', async () => {
    sharer.send(870, '"D:\\Dir" "Zero Song.mp3" x 0 128 44100 1 "Nonnum Song.mp3" x abc 128 44100 1 "Real Song.mp3" x 10 128 44100 1');
    expect(await notices(214, '')).toEqual(['invalid size', 'invalid size']);
    expect(await found('song')).toEqual(['D:\\Dir\\Real Song.mp3']);
  });

  it('a path with no word to index: "Sorry, unable to parse" (100, 870, 10300), nothing is kept', async () => {
    sharer.send(100, '".mp3" x 10 128 44100 1');
    sharer.send(100, '"" x 10 128 44100 1');
    sharer.send(100, '"C:\\-\\ - .ogg" x 10 128 44100 1');
    sharer.send(870, '"\\" "..." x 10 128 44100 1');
    sharer.send(10300, '"C:\\__\\().txt" 10 x text');
    expect(await notices(214, '')).toEqual([
      "Sorry, unable to parse '.mp3'",
      "Sorry, unable to parse ''",
      "Sorry, unable to parse 'C:\\-\\ - .ogg'",
      "Sorry, unable to parse '\\...'",
      "Sorry, unable to parse 'C:\\__\\().txt'",
    ]);
    // Only what the earlier tests shared is on the server.
    const from = seeker.frames.length;
    seeker.send(211, 'sharer');
    await seeker.waitType(213, from);
    expect(seeker.frames.slice(from).filter((f) => f.type === 212)).toHaveLength(2);
  });
});
