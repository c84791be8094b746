/**
 * The TUI's state and its reducer: AppEvents go in, tabs with bounded
 * scrollback, unread/mention markers, the results table and the transfers
 * table come out. No I/O and no blessed here; the clock is passed in, so the
 * whole behaviour is unit-tested (test/tui/ui-model.test.ts).
 */
import type { AppEvent, EventOf, SearchHit } from '../src/app-api.js';
import { errorMessageWords } from '../src/error-words.js';
import { hashedWords, linkCommand, sharingWords } from '../src/words.js';
import { plural } from './format.js';
import { emptyEditor, type EditorState } from './line-editor.js';
import { chatLine, errorLine, infoLine, logLine, peerLine, type Line } from './line-format.js';
import { LinkMemory } from './link-memory.js';
import { Scrollback } from './scrollback.js';
import { reachedNobody, ResultsModel, searchFinished, type ResultRow } from './results-model.js';
import { TransfersModel, type TransferRow } from './transfers-model.js';
import { NearModel } from './near-model.js';
import { sanitize } from './text-width.js';
import { Presence } from '../src/presence.js';

/** The files service's name in events (src/search/files-plugin.ts): a service, with no window of its own. */
const FILES_SERVICE = 'files';

/** What a window shows: a protocol's lines, the results table, the transfers table, People Near Me, or the log. */
export type TabKind = 'protocol' | 'results' | 'transfers' | 'near' | 'log';

/** Windows that show a table above a strip of their messages (Ctrl-O reads them all). */
export function isTableKind(kind: TabKind): boolean {
  return kind === 'results' || kind === 'transfers' || kind === 'near';
}

/** Unread level of a tab, weakest first (irssi's activity levels). */
export const Activity = { None: 0, Event: 1, Message: 2, Mention: 3 } as const;
export type Activity = (typeof Activity)[keyof typeof Activity];

/** Windows the TUI always has (or makes itself); a plugin of the same name is hosted there. */
const BUILT_IN_WINDOWS: ReadonlySet<string> = new Set(['transfers', 'log', 'results']);

/** Nicks remembered per tab for completion. */
export const NICKS_PER_TAB = 200;
export { RESULTS_LIMIT } from './results-model.js';
export { TRANSFERS_LIMIT, type TransferRow } from './transfers-model.js';
export { LINK_MEMORY, PART_FOLD_MS } from './link-memory.js';
/** Tabs for protocols that appear later than start-up (a cap against a flood of odd names). */
export const EXTRA_TABS_LIMIT = 16;

/** One window: its lines, scroll position, unread level, input line and known nicks. */
export interface Tab {
  readonly id: string;
  readonly kind: TabKind;
  readonly title: string;
  /** The plugin this window talks to: its commands win here, plain text goes to its `say`. */
  readonly plugin: string | undefined;
  readonly lines: Scrollback<Line>;
  /** Sequence number of the bottom visible line while scrolled back; null follows new lines. */
  anchor: number | null;
  unread: Activity;
  editor: EditorState;
  /** Most recent speaker first. */
  nicks: string[];
  /** Who is here, as far as joins, parts, nick changes, lines and links tell (the nick list). */
  /** Who is here (the nick list, /names): src/presence.ts, the rule headless /names follows too. */
  readonly present: Presence;
  /** First table row shown (results and transfers views). */
  tableOffset: number;
  /** In a table window: whether PgUp/PgDn move the table or the window's messages (Ctrl-O switches). */
  pane: 'table' | 'messages';
}

/** Results table columns that can be sorted on. */
export type SortKey = 'n' | 'name' | 'size' | 'source' | 'speed';


/** Side effects the controller carries out after an event. */
export interface ApplyResult {
  /** Ring the terminal bell (our nick was mentioned). */
  bell: boolean;
}

/** All of the TUI's state; `apply(event)` is the reducer. */
export class UiModel {
  readonly tabs: Tab[] = [];
  active = 0;
  nick: string;
  ports: Record<string, number> = {};
  readonly search = new ResultsModel();
  sort: { key: SortKey; desc: boolean } = { key: 'n', desc: false };
  readonly transferRows = new TransfersModel();
  /** People Near Me: who is near and our invitations (the Near window). */
  readonly near = new NearModel();
  #extraTabs = 0;
  /** Who is on which link (link-memory.ts). */
  readonly #links = new LinkMemory();
  #announcedPorts = '';
  readonly #resultsPlugin: string | undefined;

  constructor(
    nick: string,
    plugins: readonly string[],
    private readonly scrollback: number,
    private readonly now: () => number = Date.now,
  ) {
    this.nick = nick;
    // A plugin named like a built-in window (the core's `transfers` pseudo-plugin)
    // lives in that window instead of getting a second one.
    for (const p of plugins) if (!BUILT_IN_WINDOWS.has(p)) this.#addTab(p, 'protocol', p, p);
    this.#addTab('transfers', 'transfers', 'Transfers', plugins.includes('transfers') ? 'transfers' : undefined);
    this.#addTab('log', 'log', 'Log', plugins.includes('log') ? 'log' : undefined);
    this.#resultsPlugin = plugins.includes('results') ? 'results' : undefined;
  }

  #addTab(id: string, kind: TabKind, title: string, plugin: string | undefined): Tab {
    const tab: Tab = { id, kind, title, plugin, lines: new Scrollback<Line>(this.scrollback), anchor: null, unread: Activity.None, editor: emptyEditor, nicks: [], present: new Presence(sanitize, NICKS_PER_TAB), tableOffset: 0, pane: 'table' };
    // A window keeps its number once shown (irssi): later windows (Results, a
    // protocol that starts late) are appended, never inserted before others.
    this.tabs.push(tab);
    return tab;
  }

  /**
   * An error event in words: `127.0.0.1:7403: SOCKET: ECONNREFUSED: ... (will
   * keep trying)` becomes `bob's node (127.0.0.1:7403) is not answering
   * (connection refused); will keep trying`.
   */
  #errorWords(protocol: string | undefined, message: string): string {
    return errorMessageWords(message, (address) => {
      const nick = this.#links.nickAt(protocol ?? '', address);
      return nick ? `${nick}'s node (${address})` : `the node at ${address}`;
    });
  }

  /** Says where we listen, once per distinct set of ports. */
  listening(ports: Record<string, number>): void {
    this.ports = { ...ports };
    const list = Object.entries(ports).map(([k, v]) => `${sanitize(k)} ${v}`).join(', ');
    if (list === this.#announcedPorts) return;
    this.#announcedPorts = list;
    this.info(this.logTab, `${this.nick}: ${list ? `listening on ${list}` : 'not listening'}`);
  }

  get activeTab(): Tab {
    const t = this.tabs[this.active] ?? this.tabs[0];
    if (!t) throw new Error('UiModel has no tabs');
    return t;
  }

  tab(id: string): Tab | undefined {
    return this.tabs.find((t) => t.id === id);
  }

  /**
   * The window for a plugin's lines: the one hosting that plugin, created on
   * first use (bounded; past the cap, the Log window). The core's lines, the
   * files service's (`/get`'s "reading ... for its SHA-1", a shared folder that
   * is gone: it has no window, and its lines opened a `files` one) and those
   * naming no plugin go to the window being looked at.
   */
  protocolTab(protocol: string | undefined): Tab {
    if (protocol === undefined || protocol === 'core' || protocol === FILES_SERVICE) return this.activeTab;
    const t = this.tabs.find((x) => x.plugin === protocol) ?? this.tab(protocol);
    if (t) return t;
    if (this.#extraTabs >= EXTRA_TABS_LIMIT) return this.logTab;
    this.#extraTabs++;
    return this.#addTab(protocol, 'protocol', sanitize(protocol).slice(0, 24), protocol);
  }

  get logTab(): Tab {
    const t = this.tab('log');
    if (!t) throw new Error('UiModel lost its Log tab');
    return t;
  }

  /** Switches tabs (0-based); clears the target's unread marker. False when out of range. */
  setActive(index: number): boolean {
    const t = this.tabs[index];
    if (!t) return false;
    this.active = index;
    t.unread = Activity.None;
    return true;
  }

  /** Appends a line to a tab, marking it unread at `level` when it is not the one shown. */
  addLine(tab: Tab, line: Line, level: Activity = Activity.Event): void {
    tab.lines.push(line);
    if (tab !== this.activeTab && level > tab.unread) tab.unread = level;
  }

  info(tab: Tab, text: string): void {
    this.addLine(tab, infoLine(this.now(), text), Activity.Event);
  }

  error(tab: Tab, text: string): void {
    this.addLine(tab, errorLine(this.now(), text), Activity.Message);
  }

  apply(e: AppEvent): ApplyResult {
    switch (e.type) {
      case 'chat.line':
        return this.#chat(e);
      case 'ready':
        this.listening(e.ports);
        break;
      case 'peer.up': {
        // A second link to a nick already linked (both nodes dialled at once) is no news: Log only.
        const again = e.nick !== undefined && this.#links.up(e.protocol, e.address, e.nick, this.now());
        this.addLine(again ? this.logTab : this.protocolTab(e.protocol), peerLine(this.now(), e), again ? Activity.None : Activity.Event);
        if (e.nick) {
          this.#rememberNick(this.protocolTab(e.protocol), e.nick);
          this.protocolTab(e.protocol).present.arrive(e.nick, this.nick);
        }
        break;
      }
      case 'peer.down': {
        // A clean quit already showed `<-- alice left`, and a duplicate closed on purpose (DUPLICATE) lost
        // nothing: their lines go to Log only.
        const duplicate = e.reason.startsWith('DUPLICATE: ');
        const { nick, parted } = this.#links.down(e.protocol, e.address, this.now(), duplicate);
        const quiet = parted || duplicate;
        // A plain peer (nc) speaks under its address and sends no part line: its link closing is its leaving.
        this.protocolTab(e.protocol).present.leave(e.address);
        this.addLine(quiet ? this.logTab : this.protocolTab(e.protocol), peerLine(this.now(), e, nick), quiet ? Activity.None : Activity.Event);
        break;
      }
      case 'notice':
        this.info(this.protocolTab(e.protocol), e.text);
        break;
      case 'error':
        this.error(this.protocolTab(e.protocol), this.#errorWords(e.protocol, e.message));
        break;
      case 'log':
        this.addLine(this.logTab, logLine(this.now(), e), Activity.None);
        break;
      case 'nick':
        this.nick = sanitize(e.nick);
        this.info(this.logTab, `you are now known as ${this.nick}`);
        break;
      case 'search.started':
        this.resultsTab();
        this.search.started(e);
        break;
      case 'search.hit':
        this.#hit(e);
        break;
      case 'search.done':
        this.#searchDone(e);
        break;
      case 'transfer.queued':
      case 'transfer.progress':
      case 'transfer.done':
      case 'transfer.failed': {
        const note = this.transferRows.apply(e, this.now());
        const tab = this.transfersTab();
        if (note?.error) this.error(tab, note.text);
        else if (note) this.info(tab, note.text);
        break;
      }
      // In headless mode's words (one wording for both; the Log said `sharing 3 files` and `3 of 3 files hashed ...`).
      case 'share.ready':
        this.info(this.logTab, sharingWords(e.files, e.bytes, e.folders));
        break;
      case 'share.hashed':
        if (e.files === 0) break; // nothing shared: the share.ready line said it all
        this.info(this.logTab, hashedWords(e));
        break;
      case 'prompt.secret':
        this.info(this.protocolTab(e.plugin), `${e.prompt}: type it on the input line (it is not shown), Enter to send, Esc to decline`);
        break;
      case 'near.person':
        // Comings and goings are the Near window's own messages: live, without filling the chat.
        if (this.near.apply(e, this.now())) this.info(this.nearTab(), e.text);
        break;
      case 'near.invitation':
        this.near.apply(e, this.now());
        this.addLine(this.nearTab(), infoLine(this.now(), e.text), e.state === 'open' ? Activity.Mention : Activity.Event);
        // A new invitation is also said where the user is chatting: it asks for an answer.
        if (e.state === 'open') this.info(this.protocolTab(e.protocol), `${e.text} (the Near window, Alt+${this.tabs.indexOf(this.nearTab()) + 1})`);
        break;
    }
    return { bell: false };
  }

  transfersTab(): Tab {
    const t = this.tab('transfers');
    if (!t) throw new Error('UiModel lost its Transfers tab');
    return t;
  }

  #chat(e: EventOf<'chat.line'>): ApplyResult {
    const tab = this.protocolTab(e.protocol);
    const { line, mention } = chatLine(e, this.nick);
    if (e.kind === 'part' && !e.self) this.#links.parted(e.nick, this.now());
    if (!e.self) this.#rememberNick(tab, e.nick);
    tab.present.line(e, this.nick);
    const level = mention ? Activity.Mention : e.kind === 'msg' || e.kind === 'action' ? Activity.Message : Activity.Event;
    this.addLine(tab, line, level);
    return { bell: mention };
  }

  /** The nick list of a protocol window, ours included, sorted; undefined for other windows. */
  names(tab: Tab): string[] | undefined {
    if (tab.kind !== 'protocol') return undefined;
    return tab.present.names(this.nick);
  }

  #rememberNick(tab: Tab, raw: string): void {
    const nick = sanitize(raw);
    if (!nick || nick === this.nick) return;
    const i = tab.nicks.indexOf(nick);
    if (i === 0) return;
    if (i > 0) tab.nicks.splice(i, 1);
    tab.nicks.unshift(nick);
    if (tab.nicks.length > NICKS_PER_TAB) tab.nicks.length = NICKS_PER_TAB;
  }

  /** The Near window (People Near Me), made on first use (appended: other windows keep their numbers). */
  nearTab(): Tab {
    return this.tab('near') ?? this.#addTab('near', 'near', 'Near', undefined);
  }

  /** The Results window, made on first use (appended: other windows keep their numbers). */
  resultsTab(): Tab {
    return this.tab('results') ?? this.#addTab('results', 'results', 'Results', this.#resultsPlugin);
  }

  #hit(e: EventOf<'search.hit'>): void {
    const tab = this.resultsTab();
    const { type: _type, ...hit } = e;
    if (!this.search.hit({ ...hit, name: sanitize(hit.name), source: sanitize(hit.source) })) return;
    if (tab !== this.activeTab && tab.unread < Activity.Message) tab.unread = Activity.Message;
  }

  #searchDone(e: EventOf<'search.done'>): void {
    const g = this.search.done(e);
    if (!g || !searchFinished(g)) return;
    const query = g.query ? ` "${g.query}"` : '';
    const where = `the Results window, Alt+${this.tabs.indexOf(this.resultsTab()) + 1}`;
    if (reachedNobody(g)) {
      const asked = g.protocols.length > 0 ? g.protocols : [e.protocol];
      // P+2 makes no links to wait for: it has only peers to add (headless mode says it so).
      const then = asked.every((p) => p === 'pplus2') ? ' links one' : ', or wait for links';
      this.error(this.activeTab, `search ${g.id}${query} reached no peer: no ${asked.join(' or ')} peer answered (${linkCommand(asked)}${then})`);
    } else {
      const peers = [...g.done.values()].reduce((n, d) => n + d.peers, 0);
      const hits = [...g.done.values()].reduce((n, d) => n + d.hits, 0);
      this.info(this.activeTab, `search ${g.id}${query} done: ${plural(hits, 'hit')} from ${plural(peers, 'peer')} (${where})`);
    }
  }

  /** Every kept search hit, in arrival order. */
  get results(): SearchHit[] {
    return this.search.hits;
  }

  /** The latest state of every transfer, by id. */
  get transfers(): ReadonlyMap<number, TransferRow> {
    return this.transferRows.rows;
  }

  /** The Results window's rows (headings and hits) in the current sort order. */
  resultRows(): ResultRow[] {
    return this.search.rows(this.sort.key, this.sort.desc);
  }

  /** Up and down rates summed over active transfers, bytes/s. */
  rates(): { down: number; up: number } {
    return this.transferRows.rates();
  }
}
