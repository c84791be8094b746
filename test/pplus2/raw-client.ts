import { connect } from 'node:net';

/** Sends `data` to 127.0.0.1:port (then half-closes if asked) and collects everything until the callee closes (or `timeoutMs`). */
export function rawExchange(port: number, data: string | Buffer, timeoutMs = 5000, halfClose = false): Promise<{ bytes: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ bytes: Buffer.concat(chunks), closed: false });
    }, timeoutMs);
    s.on('connect', () => (halfClose ? s.end(data) : s.write(data)));
    s.on('data', (c: Buffer) => chunks.push(c));
    const done = (): void => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(chunks), closed: true });
    };
    s.on('end', done);
    s.on('error', done);
  });
}
