import { afterEach, describe, expect, it } from 'vitest';
import type { CommandSpec, PluginStatus } from '../../src/app-api.js';
import { LineDecoder } from '../../src/codec/line-decoder.js';
import { NetError } from '../../src/errors.js';
import type { ConnectionGroup } from '../../src/net/connection-group.js';
import type { PluginContext, ProtocolPlugin } from '../../src/plugin.js';
import { rawClient, waitUntil } from '../net/helpers.js';
import { portOf, testnet, type Testnet } from '../testnet.js';

/** A minimal real protocol: echoes lines upper-cased; records its start/stop order. */
function echoPlugin(name: string, order: string[]): ProtocolPlugin {
  let group: ConnectionGroup<string> | undefined;
  let port = 0;
  const commands: CommandSpec[] = [
    { name: 'shout', args: '<text>', help: 'say it loud' },
    { name: 'connect', args: '<host:port>', help: 'dial' },
  ];
  return {
    name,
    commands,
    async start(ctx: PluginContext) {
      order.push(`start ${name}`);
      group = ctx.net.group<string>({
        name,
        decoder: () => new LineDecoder({ maxLineBytes: 100 }),
        handler: {
          onOpen: (c) => ctx.emit({ type: 'peer.up', protocol: name, address: c.address, direction: c.direction }),
          onMessage: (c, line) => void c.send(line.toUpperCase() + '\n'),
          onClose: (c, r) => ctx.emit({ type: 'peer.down', protocol: name, address: c.address, direction: c.direction, reason: r?.message ?? 'closed' }),
        },
      });
      port = (await group.listen(0, { host: '127.0.0.1' })).port;
    },
    async stop() {
      order.push(`stop ${name}`);
      await group?.close();
    },
    async run(cmd, args) {
      if (cmd === 'shout') {
        if (!args[0]) throw NetError.usage('/shout <text>');
        return [args.join(' ').toUpperCase()];
      }
      return [`${name} would dial ${args[0] ?? '?'}`];
    },
    status(): PluginStatus {
      return { ports: { [name]: port }, peers: group?.connections.size ?? 0 };
    },
  };
}

let net: Testnet | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

describe('PeerdeckNode (AppApi)', () => {
  it('starts plugins in order, reports ports in ready, stops in reverse', async () => {
    const order: string[] = [];
    net = await testnet(1, () => [echoPlugin('alpha', order), echoPlugin('beta', order)]);
    const n = net.nodes[0]!;
    expect(order).toEqual(['start alpha', 'start beta']);
    expect(portOf(n, 'alpha')).toBeGreaterThan(0);
    expect(portOf(n, 'beta')).toBeGreaterThan(0);
    const c = await rawClient(portOf(n, 'beta'));
    c.socket.write('hi\n');
    await waitUntil(() => c.received() === 'HI\n');
    const peers = n.node.snapshot().peers;
    expect(peers).toHaveLength(1);
    expect(peers[0]).toMatchObject({ protocol: 'beta', direction: 'in' });
    await n.stop();
    expect(order).toEqual(['start alpha', 'start beta', 'stop beta', 'stop alpha']);
    await waitUntil(() => c.ended());
  });

  it('emits ready first, then what plugins said while starting', async () => {
    const chatty: ProtocolPlugin = {
      ...echoPlugin('gamma', []),
      async start(ctx: PluginContext) {
        ctx.emit({ type: 'notice', protocol: 'gamma', text: 'said during start' });
      },
    };
    net = await testnet(1, () => [chatty, echoPlugin('delta', [])]);
    const types = net.nodes[0]!.events.filter((e) => e.type !== 'log').map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['ready', 'notice']);
  });

  it('routes commands: core first, the preferred owner on a clash, errors for unknown or bad usage', async () => {
    net = await testnet(1, () => [echoPlugin('alpha', []), echoPlugin('beta', [])]);
    const api = net.nodes[0]!.node;
    expect(api.resolve('help')).toBe('core');
    expect(api.resolve('connect')).toBe('alpha');
    expect(api.resolve('connect', 'beta')).toBe('beta');
    expect(api.resolve('nope')).toBeUndefined();
    expect(await api.run('beta', 'shout', ['a', 'b'])).toEqual(['A B']);
    await expect(api.run('beta', 'shout', [])).rejects.toMatchObject({ code: 'USAGE' });
    await expect(api.run('beta', 'nope', [])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(api.run('gamma', 'x', [])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const help = await api.run('core', 'help', []);
    // Each owner's commands under its heading (the TUI's layout).
    expect(help.indexOf('alpha:')).toBeGreaterThan(help.indexOf('core:'));
    expect(help.slice(help.indexOf('alpha:')).some((l) => l.startsWith('  /shout <text>'))).toBe(true);
    expect(help.some((l) => l.startsWith('  /peers'))).toBe(true);
    expect(await api.run('core', 'help', ['/connect'])).toHaveLength(2);
    expect(await api.run('core', 'peers', [])).toEqual(['no live links']);
  });
});
