/**
 * A chat command given bad arguments says so as every other command does (`usage: /get <N>`
 * from the files service, test/search/files-plugin.test.ts;
 * `usage: /nbrowse <nick>`): `usage: /connect <host:port|peer-name>`, with the synopsis `/help`
 * shows. The chat commands used to answer in a style of their own (`/connect <host:port|peer-name>`,
 * `/nick <new>: one word`, `/say needs some text`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CHAT_COMMANDS } from '../../protocols/chat/index.js';
import type { Testnet } from '../testnet.js';
import { chatNet } from './chat-net.js';

let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

/** Bad arguments for each chat command that takes some. */
const BAD: Array<[string, string[]]> = [
  ['say', []],
  ['me', ['   ']],
  ['nick', []],
  ['nick', ['two', 'words']],
  ['connect', []],
  ['connect', ['a:1', 'b:2']],
  ['register', []],
  ['register', ['--cloud', 'moon']],
  ['resolve', []],
  ['contact', ['remove', 'bob']],
  ['invite', ['bob']],
  ['accept', ['first']],
  ['decline', []],
  ['acceptfrom', ['everyone']],
];

describe('chat answers', () => {
  it('/unregister with no name registered says so (it answered nothing)', async () => {
    net = await chatNet(1);
    expect(await net.nodes[0]!.node.run('chat', 'unregister', [])).toEqual(['no names registered (/register <classifier>)']);
  });
});

describe('chat usage errors', () => {
  it('read as the other commands\' do, with the synopsis /help shows', async () => {
    net = await chatNet(1);
    const node = net.nodes[0]!.node;
    for (const [command, args] of BAD) {
      const spec = CHAT_COMMANDS.find((c) => c.name === command);
      expect(spec, command).toBeDefined();
      await expect(node.run('chat', command, args), `/${command} ${args.join(' ')}`).rejects.toMatchObject({
        code: 'USAGE',
        message: `usage: /${command} ${spec!.args}`,
      });
    }
  });
});
