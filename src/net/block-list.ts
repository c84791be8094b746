/**
 * Address lists for the protocols (gtk-gnutella's hostiles, and the like):
 * node's own BlockList (ranges, subnets and single addresses, never the `ip`
 * package) and its IPv4 test, handed out from src/net/ since only src/net/
 * loads `node:net` (test/architecture.test.ts).
 */
export { BlockList, isIPv4 } from 'node:net';
