/**
 * Byte-exact fixtures: the captures of a live gtk-gnutella 1.2.3
 * (shared/vectors/gnutella/gtk-gnutella-wire.md, sections 5-6) and the vectors of
 * specs/gnutella.md section 7, as hex.
 */

/** Hex with any whitespace, `|` separators, to bytes. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/[\s|]/g, ''), 'hex');
}

/** gtk-gnutella's Messages Supported (27 entries), header + payload (wire 6). */
export const GTKG_MESSAGES_SUPPORTED = hex(`
00000000000000000000000000000000 31 01 00 e2000000
00000000 0000 0000 1b00 42454152 0400 0100 42454152 0700 0100 42454152 0b00 0100 42454152 0c00 0100
47544b47 0700 0100 47544b47 0700 0200 47544b47 0900 0100 47544b47 0a00 0100 47544b47 1500 0100
47544b47 1600 0100 47544b47 1700 0100 47544b47 1800 0100 4c494d45 0500 0100 4c494d45 0b00 0200
4c494d45 0b00 0300 4c494d45 0c00 0100 4c494d45 0c00 0200 4c494d45 0c00 0300 4c494d45 0d00 0100
4c494d45 1500 0100 4c494d45 1500 0200 4c494d45 1600 0100 4c494d45 1600 0200 4c494d45 1700 0100
4c494d45 1700 0200 4c494d45 1800 0100 4c494d45 1800 0200`);

/** gtk-gnutella's Features Supported (selector 10), wire 6. */
export const GTKG_FEATURES = hex(`
00000000000000000000000000000000 31 01 00 2e000000
00000000 0a00 0000 0600 48534550 0100 57484154 0100 51525031 0100 46324654 ffff 54435049 0100 544c5321 0100`);

/** gtk-gnutella's QRP RESET: 16384 slots, infinity 2 (wire 6). */
export const GTKG_QRP_RESET = hex('62233102b2dce4ab012116ecc2c28e69 30 01 00 06000000   00 00400000 02');

/** gtk-gnutella's Ping with GGEP SCP = 03, TTL 4 (wire 6). */
export const GTKG_SCP_PING = hex('0cf73102bf02ccc3ff2d843aaf95d003 00 04 00 07000000   c3 83 534350 41 03');

/** gtk-gnutella's Pong: 127.0.0.1:6346, 3 files, 64 KB, GGEP VC GUE UP DU TLS (wire 6). */
export const GTKG_PONG = hex(`
6dfecd105488be75ffad969f5ab73600 01 01 00 2f000000
ca18 7f000001 03000000 40000000 c3 02 5643 45 47544b4783 03 475545 41 02 02 5550 43 02181e 02 4455 41 06 83 544c53 40`);

/** gtk-gnutella's QueryHit for `interop alpha` (wire 6). */
export const GTKG_QUERY_HIT = hex(`
10653f6045b1fd98ff91b60c90682500 81 06 00 b5000000
01 ca18 7f000001 10000000  03000000 b0090000 696e7465726f705f616c7068615f746573742e74787400
75726e3a736861313a334243375441513257514544365754454547554437445150375a4a5155583252 1c
c3 02 5454 58 9fdda9aa8d64daaf6a924f4d24d7a7fccc77148b78cfc10d 82 4354 44 dcefc267 00
47544b47 02 2c 21 c3 05 47544b4756 53 010102030065e3bd800000000e0705a3310003 03 544c53 40 82 4248 40
3e2f3102bd7cfd2e4b3c23c8238f3a45`);

/** gtk-gnutella's own Query "interop probe", flags b9 00, GGEP PR (wire 6). */
export const GTKG_QUERY = hex('575161643102be9d4d8b6c046d095781 80 04 00 15000000   b900 696e7465726f702070726f626500 c3 82 5052 40');

/** gtk-gnutella's Push: servent GUID, index 0, 127.0.0.1:6346, GGEP TLS (wire 6). */
export const GTKG_PUSH = hex(`
3c2031020a5406ccf9c66cd59ec05118 40 04 00 20000000
a4018aa446a090ccff5b0841fc7b7d00 00000000 7f000001 ca18 c3 83 544c53 40`);

/** gtk-gnutella's Bye 201 on `node drop` (wire 6). */
export const GTKG_BYE = Buffer.concat([
  hex('6abf3102a9b82398da41e0b454c1b443 02 01 00 6a000000 c900'),
  Buffer.from('User manual removal\r\nServer: gtk-gnutella/1.2.3-14-ga331a-dirty (2024-03-03; Topless; Linux x86_64)\r\n\r\n', 'latin1'),
  hex('00'),
]);

/** Everything gtk-gnutella sent in the captures, back to back, as one stream. */
export const GTKG_STREAM = Buffer.concat([
  GTKG_MESSAGES_SUPPORTED,
  GTKG_FEATURES,
  GTKG_QRP_RESET,
  GTKG_SCP_PING,
  GTKG_PONG,
  GTKG_QUERY_HIT,
  GTKG_QUERY,
  GTKG_PUSH,
  GTKG_BYE,
]);

/** Spec 7.5: whole messages. */
export const SPEC_PING_TTL1 = hex('00 01 02 03 04 05 06 07 08 ff 0a 0b 0c 0d 0e 00 | 00 01 00 | 00 00 00 00');
export const SPEC_PONG_PAYLOAD = hex('ca 18 c0 00 02 01 2a 00 00 00 00 04 00 00');
export const SPEC_QUERY_LINUX_ISO = hex('a4 00 6c 69 6e 75 78 20 69 73 6f 00');
export const SPEC_PUSH = hex('00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 07 00 00 00 c0 00 02 05 ca 18');
export const SPEC_BYE_200 = Buffer.concat([hex('c8 00'), Buffer.from('Shutting down\r\nServer: OurServent/0.1\r\n\r\n'), hex('00')]);
export const SPEC_MESSAGES_SUPPORTED = hex('00 00 00 00 00 00 00 00 02 00 42 45 41 52 04 00 01 00 4c 49 4d 45 15 00 01 00');
export const SPEC_HOPS_FLOW = hex('42 45 41 52 04 00 01 00 00');

/** Spec 7.4: GGEP. */
export const SPEC_GGEP_PONG = hex('c3 02 44 55 42 10 0e 02 55 50 43 00 1e 04 82 56 43 45 47 54 4b 47 1a');
export const SPEC_GGEP_BH = hex('c3 82 42 48 40');
export const SPEC_GGEP_H_ABC = hex('c3 81 48 55 01 a9 99 3e 36 47 06 81 6a ba 3e 25 71 78 50 c2 6c 9c d0 d8 9d');
export const SPEC_GGEP_IPP = hex('c3 83 49 50 50 4c 01 02 03 04 ca 18 0a 00 00 01 cb 18');

/** Spec 7.2: QRP. */
export const SPEC_QRP_RESET_8 = hex('00 08 00 00 00 07');
export const SPEC_QRP_PATCH_8BIT = hex('01 01 01 00 08 | 00 00 fa 00 00 00 00 00');
export const SPEC_QRP_PATCH_4BIT_ZLIB = hex('01 01 01 01 04 | 78 9c 63 58 c0 c0 00 00 01 e4 00 a1');
