/**
 * The TUI's state and its reducer: AppEvents go in, tabs with bounded
 * scrollback, unread/mention markers, the results table and the transfers
 * table come out. No I/O and no blessed here; the clock is passed in, so the
 * whole behaviour is unit-tested (test/tui/ui-model.test.ts).
 */
import type { AppEvent, EventOf, SearchHit } from '../src/app-api.js';
import { plural } from './format.js';
import { emptyEditor, type EditorState } from './line-editor.js';
import { chatLine, errorLine, infoLine, logLine, peerLine, type Line } from './line-format.js';
import { Scrollback } from './scrollback.js';
import { sortHits } from './tables.js';
import { sanitize } from './text-width.js';

/** What a window shows: a protocol's lines, the results table, the transfers table, or the log. */
export type TabKind = 'protocol' | 'results' | 'transfers' | 'log';

/** Unread level of a tab, weakest first (irssi's activity levels). */
export const Activity = { None: 0, Event: 1, Message: 2, Mention: 3 } as const;
export type Activity = (typeof Activity)[keyof typeof Activity];

/** Windows the TUI always has (or makes itself); a plugin of the same name is hosted there. */
const BUILT_IN_WINDOWS: ReadonlySet<string> = new Set(['transfers', 'log', 'results']);

/** Nicks remembered per tab for completion. */
export const NICKS_PER_TAB = 200;
/** Search results kept (oldest dropped first). */
export const RESULTS_LIMIT = 5_000;
/** Transfer rows kept (finished ones dropped first). */
export const TRANSFERS_LIMIT = 500;
/** Links and parted nicks remembered to fold a quit into one line (oldest dropped first). */
export const LINK_MEMORY = 1_000;
/** A link closing this soon after its nick left is the same event as the part line. */
export const PART_FOLD_MS = 30_000;
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
  /** First table row shown (results and transfers views). */
  tableOffset: number;
}

/** Results table columns that can be sorted on. */
export type SortKey = 'n' | 'name' | 'size' | 'source' | 'speed';

/** The latest state of one transfer, from transfer.* events. */
export type TransferRow = Omit<EventOf<'transfer.progress'>, 'type'> & {
  state: 'active' | 'done' | 'failed';
  detail: string;
};

/** Side effects the controller carries out after an event. */
export interface ApplyResult {
  /** Ring the terminal bell (our nick was mentioned). */
  bell: boolean;
}

function capMap<K, V>(m: Map<K, V>, limit: number): void {
  while (m.size > limit) {
    const first = m.keys().next();
    if (first.done) break;
    m.delete(first.value);
  }
}

/** All of the TUI's state; `apply(event)` is the reducer. */
export class UiModel {
  readonly tabs: Tab[] = [];
  active = 0;
  nick: string;
  ports: Record<string, number> = {};
  results: SearchHit[] = [];
  resultsDropped = 0;
  sort: { key: SortKey; desc: boolean } = { key: 'n', desc: false };
  readonly transfers = new Map<number, TransferRow>();
  #extraTabs = 0;
  /** Nick of each live link (from peer.up), to fold its peer.down into a part line. */
  readonly #linkNicks = new Map<string, string>();
  /** When each nick last left the mesh (a part line). */
  readonly #recentParts = new Map<string, number>();
  #announcedPorts = '';
  readonly #resultsPlugin: string | undefined;
  #resultsVersion = 0;
  #sorted: { version: number; key: SortKey; desc: boolean; hits: SearchHit[] } | undefined;

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
    const tab: Tab = { id, kind, title, plugin, lines: new Scrollback<Line>(this.scrollback), anchor: null, unread: Activity.None, editor: emptyEditor, nicks: [], tableOffset: 0 };
    // A window keeps its number once shown (irssi): later windows (Results, a
    // protocol that starts late) are appended, never inserted before others.
    this.tabs.push(tab);
    return tab;
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
   * first use (bounded; past the cap, the Log window). The core's lines (and
   * those naming no plugin) go to the window being looked at.
   */
  protocolTab(protocol: string | undefined): Tab {
    if (protocol === undefined || protocol === 'core') return this.activeTab;
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
      case 'peer.up':
        this.addLine(this.protocolTab(e.protocol), peerLine(this.now(), e), Activity.Event);
        if (e.nick) {
          this.#rememberNick(this.protocolTab(e.protocol), e.nick);
          this.#linkNicks.set(`${e.protocol} ${e.address}`, sanitize(e.nick));
          capMap(this.#linkNicks, LINK_MEMORY);
        }
        break;
      case 'peer.down': {
        // A clean quit already showed `<-- alice left`; the link closing is the same event, so its line goes to Log only.
        const key = `${e.protocol} ${e.address}`;
        const nick = this.#linkNicks.get(key);
        this.#linkNicks.delete(key);
        const parted = nick === undefined ? undefined : this.#recentParts.get(nick);
        const same = parted !== undefined && this.now() - parted <= PART_FOLD_MS;
        this.addLine(same ? this.logTab : this.protocolTab(e.protocol), peerLine(this.now(), e), same ? Activity.None : Activity.Event);
        break;
      }
      case 'notice':
        this.info(this.protocolTab(e.protocol), e.text);
        break;
      case 'error':
        this.error(this.protocolTab(e.protocol), e.message);
        break;
      case 'log':
        this.addLine(this.logTab, logLine(this.now(), e), Activity.None);
        break;
      case 'nick':
        this.nick = sanitize(e.nick);
        this.info(this.logTab, `you are now known as ${this.nick}`);
        break;
      case 'search.hit':
        this.#hit(e);
        break;
      case 'search.done':
        this.info(this.protocolTab(e.protocol), `search ${e.search} done: ${plural(e.hits, 'hit')} (see the Results window)`);
        break;
      case 'transfer.progress':
        this.#transfer({ id: e.id, name: e.name, direction: e.direction, bytes: e.bytes, total: e.total, rate: e.rate, eta: e.eta, state: 'active', detail: '' });
        break;
      case 'transfer.done':
        this.#transfer({ id: e.id, name: e.name, direction: e.direction, bytes: e.bytes, total: e.bytes, rate: 0, eta: 0, state: 'done', detail: e.path });
        this.info(this.transfersTab(), `done: ${e.name} -> ${e.path}`);
        break;
      case 'transfer.failed': {
        const old = this.transfers.get(e.id);
        this.#transfer({ id: e.id, name: e.name, direction: e.direction, bytes: old?.bytes ?? 0, total: old?.total ?? null, rate: 0, eta: null, state: 'failed', detail: e.reason });
        this.error(this.transfersTab(), `failed: ${e.name}: ${e.reason}`);
        break;
      }
      case 'share.ready':
        this.info(this.logTab, `sharing ${plural(e.files, 'file')}`);
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
    if (e.kind === 'part' && !e.self) {
      this.#recentParts.set(sanitize(e.nick), this.now());
      capMap(this.#recentParts, LINK_MEMORY);
    }
    if (!e.self) this.#rememberNick(tab, e.nick);
    const level = mention ? Activity.Mention : e.kind === 'msg' || e.kind === 'action' ? Activity.Message : Activity.Event;
    this.addLine(tab, line, level);
    return { bell: mention };
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

  #hit(e: EventOf<'search.hit'>): void {
    let tab = this.tab('results');
    if (!tab) tab = this.#addTab('results', 'results', 'Results', this.#resultsPlugin);
    const { type: _type, ...hit } = e;
    this.results.push(hit);
    this.#resultsVersion++;
    if (this.results.length > RESULTS_LIMIT) {
      this.results.splice(0, this.results.length - RESULTS_LIMIT);
      this.resultsDropped++;
    }
    if (tab !== this.activeTab && tab.unread < Activity.Message) tab.unread = Activity.Message;
  }

  #transfer(row: TransferRow): void {
    this.transfers.set(row.id, row);
    while (this.transfers.size > TRANSFERS_LIMIT) {
      let victim: number | undefined;
      for (const [id, r] of this.transfers) {
        if (r.state !== 'active') {
          victim = id;
          break;
        }
      }
      victim ??= this.transfers.keys().next().value;
      if (victim === undefined) break;
      this.transfers.delete(victim);
    }
    const tab = this.transfersTab();
    if (tab !== this.activeTab && row.state !== 'active' && tab.unread < Activity.Event) tab.unread = Activity.Event;
  }

  /** The results in the current sort order; re-sorted only when hits or the order changed. */
  sortedResults(): SearchHit[] {
    const c = this.#sorted;
    if (c && c.version === this.#resultsVersion && c.key === this.sort.key && c.desc === this.sort.desc) return c.hits;
    const hits = sortHits(this.results, this.sort.key, this.sort.desc);
    this.#sorted = { version: this.#resultsVersion, key: this.sort.key, desc: this.sort.desc, hits };
    return hits;
  }

  /** Up and down rates summed over active transfers, bytes/s. */
  rates(): { down: number; up: number } {
    let down = 0;
    let up = 0;
    for (const r of this.transfers.values()) {
      if (r.state !== 'active') continue;
      if (r.direction === 'down') down += r.rate;
      else up += r.rate;
    }
    return { down, up };
  }
}
