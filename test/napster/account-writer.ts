/**
 * A helper process for persistence.test.ts (not a test): registers accounts
 * in a tight loop, so that a SIGKILL lands in the middle of an account write.
 * Usage: node dist/test/napster/account-writer.js <file>
 */
import { AccountStore } from '../../protocols/napster/server/account-store.js';

const path = process.argv[2];
if (!path) throw new Error('usage: account-writer <file>');
const store = new AccountStore(path, { N: 16, r: 1, p: 1 });
await store.load();
let i = store.size;
for (;;) {
  await store.register(`user${i++}`, 'pw', { email: 'x'.repeat(200) });
  if (i % 50 === 0) await store.flush();
}
