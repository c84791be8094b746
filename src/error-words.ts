/**
 * Errors in words a user understands. NetError codes and the operating
 * system's errno names (ECONNREFUSED, ECONNRESET, ...) are precise and stay
 * in events and logs, where scripts match them; a person reading the TUI gets
 * `bob's node (127.0.0.1:7403) is not answering (connection refused)`
 * instead of `SOCKET: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:7403`.
 * Pure: it reads codes out of error objects or out of the `CODE: message`
 * text events carry.
 */
import { NetError } from './errors.js';

/** What a remote side did, for errno names seen on sockets (the subject comes first: "bob's node ..."). */
const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'is not answering (connection refused)',
  ETIMEDOUT: 'did not answer in time (timed out)',
  EHOSTUNREACH: 'cannot be reached (no route to host)',
  ENETUNREACH: 'cannot be reached (network unreachable)',
  EHOSTDOWN: 'cannot be reached (host is down)',
  ECONNRESET: 'dropped the connection (connection reset)',
  ECONNABORTED: 'dropped the connection (connection aborted)',
  EPIPE: 'went away while we were sending (broken pipe)',
  ENOTFOUND: 'has a name that could not be found (DNS lookup failed)',
  EAI_AGAIN: 'has a name that could not be looked up right now (DNS)',
  EADDRINUSE: 'cannot listen: the port is already used by another program',
  EADDRNOTAVAIL: 'cannot use that address: it is not one of this machine',
};

/** Local (not the peer's) errno names: these describe our side, with no subject. */
const LOCAL_ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  ENOSPC: 'the disk is full',
  EMFILE: 'too many open files',
  EISDIR: 'that is a folder, not a file',
  ENOTDIR: 'that is not a folder',
};

/** NetError codes that describe what the peer did. */
const CODE_WORDS: Readonly<Record<string, string>> = {
  HANDSHAKE_TIMEOUT: 'did not finish the handshake in time',
  IDLE_TIMEOUT: 'was silent for too long',
  SLOW_CONSUMER: 'could not keep up with what we sent, so the link was dropped',
};

/**
 * Codes whose message is a whole sentence that says what the code says (`INCOMPLETE: the source
 * stopped after 1.2 MiB of 4.0 MiB ...`): shown without the code, which read `incomplete: the
 * source stopped ...`.
 */
const SAID_IN_FULL: ReadonlySet<string> = new Set(['INCOMPLETE']);

/** CLOSED messages that say no more than that a connection closed. */
const JUST_CLOSED = /^(?:closed|connection closed|data connection closed|the pushed connection was closed)$/;
/**
 * CLOSED messages that say the peer closed it; what follows is the detail (`: quit`, ` before
 * the end of the file`). Said once: `bob closed the connection (quit)`, never `bob closed the
 * connection (peer closed the link: quit)`.
 */
const PEER_CLOSED = /^(?:(?:the )?peer closed the (?:connection|link)|closed by (?:the )?peer)(?=$|:| )/;
/** A peer that said goodbye (`peer said Bye 200 done`, `Bye 200 done`): its words are the detail. */
const PEER_BYE = /^(?:(?:the )?peer )?(said Bye\b.*|Bye\b.*)$/;

const ERRNO_IN_TEXT = /\b(E[A-Z_]{3,})\b/;
const CODE_PREFIX = /^([A-Z][A-Z_]+): /;
/** The address a Node socket error ends with (`connect ECONNREFUSED 127.0.0.1:7403`, `getaddrinfo ENOTFOUND nowhere`). */
const ERRNO_ADDRESS = /\b(?:connect|getaddrinfo) E[A-Z_]{3,} ((?:\[[0-9a-fA-F:.]+\]|[\w.-]+)(?::\d+)?)$/;
/** `host:port: CODE: message (what happens next)`, as protocols report a peer's error in an `error` event. */
const ADDRESS_ERROR = /^((?:\[[0-9a-fA-F:.]+\]|[\w.-]+):\d+): ([A-Z][A-Z_]+: .*?)(?: \(([a-z][a-z ]+)\))?$/;

/**
 * A reason as words: `subject` plus what happened (`bob's node is not
 * answering (connection refused)`), or the message without its code when
 * there is nothing better to say (`REFUSED: mesh is full` -> `refused: mesh
 * is full`). `text` is an event's `CODE: message` string.
 */
export function reasonWords(text: string, subject = 'the other side'): string {
  const errno = ERRNO_IN_TEXT.exec(text)?.[1];
  if (errno !== undefined) {
    const remote = ERRNO_WORDS[errno];
    if (remote) return `${subject} ${remote}`;
    const local = LOCAL_ERRNO_WORDS[errno];
    if (local) return local;
  }
  const m = CODE_PREFIX.exec(text);
  if (!m) return text;
  const code = m[1] ?? '';
  const rest = text.slice(m[0].length);
  const words = CODE_WORDS[code];
  if (code === 'CLOSED') return closedWords(rest, subject);
  if (code === 'TIMEOUT') return timeoutWords(rest, subject);
  if (words) return `${subject} ${words}`;
  if (SAID_IN_FULL.has(code)) return rest;
  return `${code.toLowerCase().replace(/_/g, ' ')}: ${rest}`;
}

/**
 * A CLOSED reason: `subject closed the connection` when the peer closed it (with its detail,
 * said once), else the message as it is: ours (`shutting down`, `cancelled`, `not logged in to
 * ...`) is nothing the peer did, and used to read `the peer closed the connection (shutting down)`.
 */
function closedWords(rest: string, subject: string): string {
  if (rest === '' || JUST_CLOSED.test(rest)) return `${subject} closed the connection`;
  const bye = PEER_BYE.exec(rest);
  if (bye) return `${subject} closed the connection (${bye[1]})`;
  const m = PEER_CLOSED.exec(rest);
  if (!m) return rest;
  const tail = rest.slice(m[0].length);
  if (tail === '') return `${subject} closed the connection`;
  return tail.startsWith(': ') ? `${subject} closed the connection (${tail.slice(2)})` : `${subject} closed the connection${tail}`;
}

/**
 * An `error` event's message in words, as the TUI and headless text show it:
 * `127.0.0.1:7403: SOCKET: ECONNREFUSED: ... (will keep trying)` becomes `the node at
 * 127.0.0.1:7403 is not answering (connection refused); will keep trying`. `subjectAt` names
 * who is at an address (the TUI knows nicks: `bob's node (127.0.0.1:7403)`). A message with
 * no code (`usage: /get <N>`) is kept as it is.
 */
export function errorMessageWords(message: string, subjectAt: (address: string) => string = (a) => `the node at ${a}`): string {
  const m = ADDRESS_ERROR.exec(message);
  if (!m) {
    if (!CODE_PREFIX.test(message)) return message;
    // A command's own failure (`/connect 127.0.0.1:1`) names the address only in Node's text:
    // said with it (it read `the other side is not answering`, with no word of which).
    const at = ERRNO_ADDRESS.exec(message)?.[1];
    return reasonWords(message, at === undefined ? undefined : subjectAt(at));
  }
  const [, address = '', reason = '', then] = m;
  return `${reasonWords(reason, subjectAt(address))}${then ? `; ${then}` : ''}`;
}

/** `TIMEOUT`'s `what: no answer within N ms` (NetError.timeout): the `what` is kept, the milliseconds go. */
const NO_ANSWER = /(?:^|: )no answer within \d+ ms$/;

/**
 * A TIMEOUT reason: `subject did not answer in time`, with what was waited for when it says
 * more than the subject does (`(download stalled)`, `(bob never connected to push the file)`);
 * it used to say only `did not answer in time`, whatever had timed out.
 */
function timeoutWords(rest: string, subject: string): string {
  const what = rest.replace(NO_ANSWER, '');
  if (what === '' || what === rest || /^connect to /.test(what)) return `${subject} did not answer in time`;
  return `${subject} did not answer in time (${what})`;
}

/** The same for an error object (a NetError or a Node.js system error). */
export function errorWords(err: unknown, subject?: string): string {
  if (err instanceof NetError) return reasonWords(`${err.code}: ${err.message}`, subject);
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && typeof e.code === 'string') return reasonWords(`${e.code}: ${e.message}`, subject);
  return err instanceof Error ? err.message : String(err);
}
