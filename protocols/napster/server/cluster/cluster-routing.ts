/**
 * Which logged-in commands name a user (issue 15): when that user is on
 * another server of the cluster, the command runs there, where the user's
 * files, ignore list and link are (cluster-node.ts forwards it). Pure.
 */
import * as C from '../../constants.js';
import { splitFields } from '../../messages.js';

/** How a command's payload names its target. */
type TargetField = 'firstWord' | 'firstField' | 'whole';

const TARGETED: ReadonlyMap<number, TargetField> = new Map<number, TargetField>([
  [C.MSG_PRIVMSG, 'firstWord'],
  [C.MSG_PING, 'firstWord'],
  [C.MSG_PONG, 'firstWord'],
  [C.MSG_DOWNLOAD, 'firstField'],
  [C.MSG_PUSH, 'firstField'],
  [C.MSG_UPLOAD_ACCEPT, 'firstField'],
  [C.MSG_QUEUE_LIMIT, 'firstField'],
  [C.MSG_BROWSE, 'firstField'],
  [C.MSG_DATA_PORT_ERROR, 'whole'],
  [C.MSG_DIRECT_BROWSE, 'whole'],
  [C.MSG_DIRECT_BROWSE_ACCEPT, 'whole'],
  [C.MSG_DIRECT_BROWSE_ERROR, 'firstField'],
  [C.MSG_LINK_SPEED, 'whole'],
  [C.MSG_WHOIS, 'whole'],
]);

/** Commands where the sender's own share of the named path matters (608, 619). */
const SENDER_PATH = new Set([C.MSG_UPLOAD_ACCEPT, C.MSG_QUEUE_LIMIT]);

/** The nick a command is aimed at, or undefined for a command that names nobody. */
export function targetOf(type: number, text: string): { nick: string; senderPath?: string } | undefined {
  const how = TARGETED.get(type);
  if (!how) return undefined;
  if (how === 'whole') {
    const nick = text.trim();
    return nick ? { nick } : undefined;
  }
  if (how === 'firstWord') {
    const nick = text.trimStart().split(' ')[0] ?? '';
    return nick ? { nick } : undefined;
  }
  const f = splitFields(text);
  if (!f || f.length < 1 || f[0] === '') return undefined;
  return SENDER_PATH.has(type) && f[1] !== undefined ? { nick: f[0]!, senderPath: f[1] } : { nick: f[0]! };
}
