/**
 * The Gnutella plugin's own error codes (specs/gnutella.md section 4): a push
 * download that cannot work or got no callback fails with a code a script can
 * match and a message a person can read.
 */
import { NetError } from '../../src/errors.js';

declare module '../../src/errors.js' {
  interface ProtocolErrorCodes {
    /** The file's holder and we are both firewalled: a classic push cannot work (spec 4.5). */
    BOTH_FIREWALLED: true;
    /** A Push went out (routed or through proxies) and no GIV came back in time (spec 4.4). */
    PUSH_TIMEOUT: true;
  }
}

/** Both sides firewalled: said at once instead of waiting for a callback that cannot come. */
export function bothFirewalled(holder: string, why: string): NetError {
  return new NetError('BOTH_FIREWALLED', `${holder} is firewalled and so are we (${why}): a push download cannot work`);
}

/** No GIV within the wait. */
export function pushTimeout(holder: string, ms: number, tried: string): NetError {
  return new NetError('PUSH_TIMEOUT', `${holder} did not connect back within ${Math.round(ms / 1000)} s after ${tried}`);
}
