/**
 * Upload over the real P+2 download port (issue 9 target: >= 0.9 x nginx +
 * curl). A real headless peerdeck process shares a folder; the client asks its
 * p+2 port for the file by name, so the bytes take the user's path: the
 * listener, the request line decoder, the share lookup and the transfer
 * engine's upload. The reference is nginx serving the same bytes (sendfile)
 * to the same client.
 *
 * The client is curl for both. P+2's download exchange has the shape of
 * gopher (one request line, raw bytes back, the server closes), so curl's
 * gopher support is a real P+2 client: `gopher://host:p+2/9big.bin` sends
 * `big.bin\r\n` and writes what comes back.
 */
import { runUploadRace } from './lib-upload-race.js';

await runUploadRace({
  name: 'transfer.upload',
  path: 'over the real P+2 port',
  flags: () => ['--pplus2-host', '127.0.0.1', '--pplus2-port', '0'],
  portKey: 'pplus2',
  url: (p) => `gopher://127.0.0.1:${p + 2}/9big.bin`, // item type 9 (binary), selector big.bin
});
