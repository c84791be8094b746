/**
 * The whole contract between the core and any user interface (the TUI, headless
 * mode, tests). A UI subscribes to one stream of AppEvents and calls
 * `run(plugin, command, args)`; it never touches sockets or protocol details.
 * Event field names are part of the headless `--json` contract (see README).
 */

export type Direction = 'in' | 'out';

/** One search result, shared by every file-sharing protocol and the results view. */
export interface SearchHit {
  /** Which search produced it (the id returned by the search command). */
  search: string;
  /** Result number, 1-based, unique within the running program: `/get N` takes it. */
  n: number;
  name: string;
  /** Bytes, or -1 when the protocol does not say (P+2 answers carry names only). */
  size: number;
  /** Who has it: `ip:port` or a nick. */
  source: string;
  protocol: string;
  sha1?: string;
  /** Advertised speed (kbit/s) where the protocol carries one. */
  speed?: number;
  /** The holder is firewalled (the download goes push-style or may fail). */
  firewalled?: boolean;
}

export type ChatLineKind = 'msg' | 'action' | 'join' | 'part' | 'nick';

export type AppEvent =
  | { type: 'ready'; ports: Record<string, number> }
  | {
      type: 'chat.line';
      protocol: string;
      kind: ChatLineKind;
      id: string;
      nick: string;
      text: string;
      origin: string;
      /** Unix milliseconds, as stamped by the origin. */
      at: number;
      /** Hops travelled (0 for our own lines). */
      hops: number;
      self: boolean;
      /** A verified signature's signer: a contact's name, else the 40-hex authority (chat `--sign`, README "Names"). */
      signedBy?: string;
      /** `signedBy` is a stored contact (its key was stored with `/contact add`). */
      contact?: boolean;
    }
  | { type: 'peer.up'; protocol: string; address: string; direction: Direction; nick?: string }
  | { type: 'peer.down'; protocol: string; address: string; direction: Direction; reason: string }
  /** Output of a command meant for the user (listings, confirmations). */
  | { type: 'notice'; protocol: string; text: string }
  | { type: 'error'; message: string; protocol?: string }
  | { type: 'log'; level: LogLevel; scope: string; message: string }
  | { type: 'nick'; nick: string }
  /** A search began (`/search`): its id, the query as read back, the protocols asked. */
  | { type: 'search.started'; search: string; query: string; protocols: string[] }
  | ({ type: 'search.hit' } & SearchHit)
  /** One per protocol asked; `peers` is how many peers it asked (0: the search reached nobody). */
  | { type: 'search.done'; search: string; protocol: string; hits: number; peers: number }
  | {
      type: 'transfer.progress';
      id: number;
      name: string;
      direction: 'down' | 'up';
      /**
       * The other side as the protocol knows it (`ip:port`, a nick): who an upload is for, so a
       * running upload's host is shown before its `transfer.done` (uploads have no `transfer.queued`).
       */
      peer: string;
      bytes: number;
      total: number | null;
      /** Bytes per second, smoothed. */
      rate: number;
      /** Seconds left, or null when unknown. */
      eta: number | null;
    }
  /**
   * A download waits for a slot; `position` is its place in the queue (1 = next). With `remote`
   * (position 0) it waits for its source instead, which queued us or is busy: what the source said
   * (`queued at gtk-gnutella/1.2.3, position 3 of 12`) and the seconds before we ask again.
   */
  | {
      type: 'transfer.queued';
      id: number;
      name: string;
      direction: 'down' | 'up';
      peer: string;
      protocol: string;
      total: number | null;
      position: number;
      remote?: { note: string; retryInS: number };
    }
  | {
      type: 'transfer.done';
      id: number;
      name: string;
      direction: 'down' | 'up';
      path: string;
      bytes: number;
      sha1: string | null;
      /**
       * Downloads: true when size and SHA-1 were both checked against what the
       * source announced; false for a file whose length and content nobody
       * vouched for (a plain P+2 peer). Uploads: true (the whole range was sent).
       */
      verified: boolean;
      peer: string;
    }
  | { type: 'transfer.failed'; id: number; name: string; direction: 'down' | 'up'; reason: string; state: 'failed' | 'cancelled' }
  /** `folders`: how many folders are shared (0: none, no `--share`); the files service adds it. */
  | { type: 'share.ready'; files: number; bytes: number; folders?: number }
  /**
   * The hashing that followed a scan (start, `/rescan`, a watched change) has
   * ended and the hash cache is saved (issue 9): files shared now can be
   * found by SHA-1 (Gnutella URN queries) and are announced with their md5
   * (Napster). One follows each `share.ready`, even when nothing needed
   * hashing (`hashed: 0`, a start with a warm cache), so a script can always
   * wait for it; a scan made while hashing runs joins that run (one event
   * for both). None once the library is stopping.
   * `hashed`: files hashed since the last share.hashed; `unhashed`: files
   * shared without hashes (unreadable, or changed while hashed: the next
   * rescan tries them again); `ms`: from the start of the scan to now.
   */
  | { type: 'share.hashed'; files: number; bytes: number; hashed: number; unhashed: number; ms: number }
  /**
   * A plugin needs a secret (the Napster password when no file gave it): the
   * TUI reads one hidden line and calls `run(plugin, command, [secret])`, or
   * `[]` when the user declines; it is never echoed, kept in history or sent in
   * an event. Headless mode cannot ask: it prints `hint` (how to give it
   * instead) and declines.
   */
  | { type: 'prompt.secret'; plugin: string; command: string; prompt: string; hint: string }
  /**
   * People Near Me (chat, README "People Near Me"): someone near us appeared (`here`), signed
   * out or left (silent too long). `text` is the sentence to show.
   */
  | ({ type: 'near.person'; protocol: string; state: 'here' | 'signed-out' | 'left'; text: string } & NearPerson)
  /** An invitation reached us (`open`), or we accepted or declined it. `text` is the sentence to show. */
  | ({ type: 'near.invitation'; protocol: string; text: string } & NearInvitation);

/** One person near us, as People Near Me announces them. */
export interface NearPerson {
  /** Their node id (stable while they run). */
  node: string;
  nick: string;
  friendly: string;
  /** 40-hex SHA-1 of their public key. */
  authority: string;
  /** The address their announcement came from. */
  address: string;
  /** Protocols they run (`chat`, `pplus2`, ...). */
  protocols: string[];
}

/** An invitation we received; `/accept N` and `/decline N` take its number. */
export interface NearInvitation {
  n: number;
  /** A contact's name, else the first 8 hex digits of the inviter's authority. */
  from: string;
  nick: string;
  authority: string;
  contact: boolean;
  /** What it is to: `mesh`, `pplus2`, `gnutella`, `napster`. */
  kind: string;
  /** `host:port` it names. */
  endpoint: string;
  message: string;
  state: 'open' | 'accepted' | 'declined';
}

export type AppEventType = AppEvent['type'];
export type EventOf<T extends AppEventType> = Extract<AppEvent, { type: T }>;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A command a plugin (or the core) offers, for help and completion. */
export interface CommandSpec {
  name: string;
  /** Argument synopsis for help, e.g. `<host:port>` or `[text]`. */
  args: string;
  help: string;
  /**
   * The argument is free text (`/say`, `/me`, `/search`): UIs that split
   * arguments on blanks pass the rest of the line as one argument instead.
   */
  text?: boolean;
}

/** What `/peers` and the peers view show for one live link. */
export interface PeerInfo {
  protocol: string;
  address: string;
  direction: Direction;
  nick?: string;
  /** Milliseconds since the link came up. */
  uptimeMs: number;
  /** Bytes waiting in the send queue. */
  queuedBytes: number;
}

/** A protocol's summary line for the status bar. */
export interface PluginStatus {
  ports: Record<string, number>;
  /** Peers linked now; with `linkless`, peers known (the protocol keeps no links). */
  peers: number;
  /** The protocol connects to a peer only to ask it something (P+2): `peers` are known peers, not links. */
  linkless?: boolean;
  firewalled?: boolean;
  /** A short role for the status bar (Gnutella: `UP` or `leaf`). */
  role?: string;
}

export interface AppSnapshot {
  nick: string;
  /** Running network protocols, in start order (one TUI tab each). */
  plugins: string[];
  ports: Record<string, number>;
  status: Record<string, PluginStatus>;
  peers: PeerInfo[];
}

/** How a listener takes events (AppApi.subscribe). */
export interface SubscribeOptions {
  /**
   * The listener may be given `chat.line` events whose id and text are getters over the
   * bytes a relay received (src/wire-chat-line.ts): it reads their fields by name or
   * JSON.stringifies them while it is called, never spreads or deep-compares them, and keeps
   * `toJSON()` of one if it keeps anything (the object carries the next line). A `--json`
   * printer does.
   */
  wireLines?: boolean;
}

export interface AppApi {
  /**
   * Runs a command. `plugin` is a plugin name or 'core' (help, peers, quit).
   * Resolves with lines to show the user (the caller shows them; they are not
   * also emitted as events); rejects with a NetError of code USAGE or NOT_FOUND
   * for a bad or unknown command.
   */
  run(plugin: string, command: string, args: string[]): Promise<string[]>;
  /**
   * Finds which plugin owns a command, preferring `preferred` (the active tab's
   * protocol) when several offer it. Undefined when nobody offers it.
   */
  resolve(command: string, preferred?: string): string | undefined;
  /** Every command, grouped by owner ('core' first, then protocols and services). */
  commands(): Array<{ plugin: string; commands: CommandSpec[] }>;
  subscribe(listener: (event: AppEvent) => void, opts?: SubscribeOptions): () => void;
  snapshot(): AppSnapshot;
  /** Stops every plugin (in reverse start order) and resolves when all is closed; `reason` goes to the peers (chat PART). */
  stop(reason?: string): Promise<void>;
}
