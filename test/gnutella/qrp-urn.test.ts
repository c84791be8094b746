/**
 * Our leaf's QRP table as an ultrapeer receives it carries the `urn:sha1:` of
 * every hashed file (spec 3.4), so URN queries (re-queries for sources, the
 * download mesh) reach it; and a file found by a rescan gets its URN there
 * once hashed, not only its words.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DESCRIPTOR_ROUTE_TABLE_UPDATE } from '../../protocols/gnutella/constants.js';
import { decodeQrp } from '../../protocols/gnutella/qrp-messages.js';
import { QrpReceiver } from '../../protocols/gnutella/qrp-receiver.js';
import { FILES_PLUGIN } from '../../src/search/files-plugin.js';
import { sha1Urn } from '../../src/share/base32.js';
import { startGNode, type GNode } from './gnutella-net.js';
import { linkedUp, until, type RawPeer } from './raw-peer.js';

const urnOf = (b: Buffer): string => sha1Urn(createHash('sha1').update(b).digest('hex'));

/** The table the raw ultrapeer holds for our leaf: every RESET and PATCH received so far, applied in order. */
function tableAt(up: RawPeer): QrpReceiver {
  const r = new QrpReceiver();
  for (const d of up.descriptors) {
    if (d.type !== DESCRIPTOR_ROUTE_TABLE_UPDATE) continue;
    const m = decodeQrp(d.payload);
    if (m.kind === 'qrp-reset') r.reset(m);
    else r.patch(m);
  }
  return r;
}

describe('QRP and SHA-1 URNs (our leaf)', () => {
  let leaf: GNode | undefined;
  afterEach(async () => {
    await leaf?.stop();
  });

  it('a file found by /rescan reaches the ultrapeer with its urn:sha1 once it is hashed', async () => {
    const first = randomBytes(1000);
    leaf = await startGNode(0, { 'first.bin': first });
    const up = await linkedUp(leaf.port);
    await until(() => tableAt(up).matches('', [urnOf(first)]));
    const fresh = randomBytes(200_000);
    await writeFile(join(leaf.shareDir, 'fresh.bin'), fresh);
    await leaf.node.run(FILES_PLUGIN, 'rescan', []);
    await until(() => tableAt(up).matches('', [urnOf(fresh)]));
    const t = tableAt(up);
    expect(t.matches('fresh')).toBe(true);
    expect(t.matches('', [urnOf(randomBytes(10))])).toBe(false);
    up.socket.destroy();
  });
});
