import type { LoginState } from './client-login.js';

/** What `/nservers` needs to know about one server session. */
export interface LinkView {
  key: string;
  state: LoginState | 'connecting' | 'offline' | 'stopped';
  /** The nick we log in with. */
  nick: string;
  /** Users, files and gigabytes from the server's last 214. */
  stats: { users: number; files: number; gigabytes: number };
  /** Why the last session ended, or '' when none has. */
  lastError: string;
  /** Milliseconds until the next dial, when one is planned. */
  retryInMs: number | undefined;
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * One `/nservers` line in words a user understands: the session's login
 * step, or why it is offline and when it tries again, instead of internal
 * state names (`logging-in`, `stopped`). Pure, so each state is tested alone.
 */
export function describeLink(v: LinkView): string {
  const why = v.lastError ? ` (${v.lastError})` : '';
  switch (v.state) {
    case 'online':
      return `${v.key}: logged in as ${v.nick}; the server has ${plural(v.stats.users, 'user')}, ${plural(v.stats.files, 'file')}, ${v.stats.gigabytes} GB`;
    case 'connecting':
      return `${v.key}: connecting${v.lastError ? ` (the last attempt: ${v.lastError})` : ''}`;
    case 'checking':
      return `${v.key}: logging in as ${v.nick} (asking whether the nick is registered)`;
    case 'registering':
      return `${v.key}: logging in as ${v.nick} (registering the nick)`;
    case 'logging-in':
      return `${v.key}: logging in as ${v.nick} (sending the password)`;
    case 'failed':
      return `${v.key}: login refused${why}`;
    case 'offline':
      return `${v.key}: offline${why}${v.retryInMs !== undefined ? `; trying again in ${Math.max(1, Math.ceil(v.retryInMs / 1000))} s` : ''}`;
    case 'stopped':
      return `${v.key}: offline${why}; not trying again (/nlogin ${v.key} to retry)`;
  }
}
