/**
 * Reading a servent's state the way a user does, through `/gstatus`, for the
 * ultrapeer tests: its text, its open links of one role, and a poll until a
 * condition on them holds.
 */
import type { GNode } from './gnutella-net.js';

/** Waits until an async condition holds, polling; `what` explains a timeout. */
export async function eventually(pred: () => Promise<boolean>, ms: number, what: () => Promise<string> = async () => ''): Promise<void> {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > ms) throw new Error(`condition not met in time\n${await what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The node's `/gstatus` as one text. */
export const gstatus = async (n: GNode): Promise<string> => (await n.node.run('gnutella', 'gstatus', [])).join('\n');

/** The `/gstatus` lines of the node's open links of one role. */
export const openLinks = async (n: GNode, role: 'leaf' | 'ultrapeer'): Promise<string[]> =>
  (await gstatus(n)).split('\n').filter((l) => l.startsWith(`  ${role} `) && / open /.test(l));

/**
 * Whether one `/gstatus` link line is a link with the servent listening on `port`
 * on 127.0.0.1, in either direction: we dialled it (`out 127.0.0.1:port`) or it
 * dialled us and said where it listens (`in 127.0.0.1:n (listens on 127.0.0.1:port)`).
 */
export const linksTo = (line: string, port: number): boolean =>
  line.includes(` out 127.0.0.1:${port} `) || (/ in 127\.0\.0\.1:\d+ /.test(line) && line.includes(`(listens on 127.0.0.1:${port})`));
