/**
 * Upload over the Gnutella HTTP path (issue 10: >= 0.9 x nginx + curl). A real
 * headless peerdeck process runs Gnutella and shares a folder; curl asks its
 * Gnutella port for `/get/1/big.bin`, so the bytes take the user's path: the
 * listener, the first-block dispatch, the hand-off to node:http, the share
 * lookup and the transfer engine's upload. The reference is nginx serving the
 * same bytes (a hard link) to the same curl, in alternating rounds.
 */
import { runUploadRace } from './lib-upload-race.js';

await runUploadRace({
  name: 'gnutella.upload',
  path: 'over the Gnutella HTTP path',
  flags: () => ['--gnutella', '--gnutella-host', '127.0.0.1', '--gnutella-port', '0'],
  portKey: 'gnutella',
  url: (p) => `http://127.0.0.1:${p}/get/1/big.bin`,
});
