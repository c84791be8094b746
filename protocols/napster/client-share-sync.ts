/**
 * Our share list on each server (specs/napster.md §4.1): what each server
 * was told we share, brought in line with the library after a login and
 * after every scan, one sync per server at a time. A sync sends 102 for
 * gone files and 100 for new ones, with the audio fields of the MP3s among
 * them (read once, then kept in the data dir by the AudioCatalog).
 */
import type { Clock, Timer } from '../../src/clock.js';
import { toNetError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { ShareLibrary } from '../../src/share/share-library.js';
import { plural } from '../../src/words.js';
import { AudioCatalog } from './client-audio.js';
import type { ServerLink } from './client-link.js';
import { buildShareList, diffShares, type SharedFile } from './client-share-list.js';
import * as W from './constants.js';

/** How long a share sync waits for MP3 headers before it sends what it has. */
const AUDIO_WAIT_MS = 500;

export interface ShareSyncDeps {
  share: Pick<ShareLibrary, 'entries'>;
  clock: Clock;
  log: Logger;
  dataDir: string;
  /** Share at most this many files per server. */
  maxShares: number;
  notice(text: string): void;
}

export class ShareSync {
  readonly #d: ShareSyncDeps;
  readonly #audio: AudioCatalog;
  /** What each server was told we share. */
  readonly #shared = new Map<ServerLink, Map<string, SharedFile>>();
  /** Per server, the sync under way (syncs of one server run one after another). */
  readonly #syncing = new Map<ServerLink, Promise<void>>();

  constructor(d: ShareSyncDeps) {
    this.#d = d;
    this.#audio = new AudioCatalog(d.dataDir, d.log.child('audio'));
  }

  /** The 100 payloads a server was sent (what a direct browse lists). */
  lines(link: ServerLink): string[] {
    return [...(this.#shared.get(link)?.values() ?? [])].map((f) => f.line);
  }

  /** The session ended: the next login starts from an empty list on that server. */
  forget(link: ServerLink): void {
    this.#shared.delete(link);
  }

  /** Brings a server's copy of our share list in line with the library, one sync per server at a time. */
  sync(link: ServerLink): void {
    const next = (this.#syncing.get(link) ?? Promise.resolve())
      .then(() => this.#syncNow(link))
      .catch((err: unknown) => this.#d.log.warn(`${link.key}: share list: ${toNetError(err).message}`));
    this.#syncing.set(link, next);
    void next.finally(() => this.#syncing.get(link) === next && this.#syncing.delete(link));
  }

  close(): Promise<void> {
    return this.#audio.close();
  }

  /**
   * §4.1: 102 for gone files, 100 for new ones. Headers not read within
   * AUDIO_WAIT_MS go with zeros and are sent again (102 + 100) once read, so
   * a large new library is still shared at once.
   */
  async #syncNow(link: ServerLink): Promise<void> {
    if (!link.online) return;
    const cap = this.#d.maxShares;
    const entries = [...this.#d.share.entries()];
    let list = buildShareList(entries, cap, (e) => this.#audio.get(e));
    const reading = this.#audio.prepare([...list.files.values()].map((f) => f.entry)).catch(() => false);
    let timer: Timer | undefined;
    const inTime = await Promise.race([reading, new Promise<'late'>((r) => (timer = this.#d.clock.setTimeout(() => r('late'), AUDIO_WAIT_MS)))]);
    timer?.cancel();
    if (inTime === true) list = buildShareList(entries, cap, (e) => this.#audio.get(e));
    else if (inTime === 'late') void reading.then((learnt) => learnt && this.sync(link));
    if (!link.online) return;
    const had = this.#shared.get(link) ?? new Map<string, SharedFile>();
    const delta = diffShares(had, list.files);
    link.sendAll([
      ...delta.remove.map((p) => ({ type: W.MSG_UNSHARE, text: p })),
      ...delta.add.map((line) => ({ type: W.MSG_SHARE, text: line })),
    ]);
    this.#shared.set(link, list.files);
    const first = had.size === 0;
    if (list.overCap > 0 && (first || delta.add.length > 0)) {
      this.#d.notice(`${link.key} takes at most ${cap} files: ${list.overCap} of your files are not shared there`);
    }
    if (list.unshareable > 0 && (first || delta.add.length > 0)) {
      const n = list.unshareable;
      this.#d.notice(`${link.key}: ${n} of your files ${plural(n, 'is', 'are')} not shared there: Napster cannot carry a path with a " or \\, or one that long`);
    }
    if (list.nameless > 0 && (first || delta.add.length > 0)) {
      const n = list.nameless;
      this.#d.notice(`${link.key}: ${n} of your files ${plural(n, 'is', 'are')} not shared there: a Napster server cannot index a name with no letter or digit (such as -.mp3)`);
    }
    if (first || delta.add.length + delta.remove.length > 0) {
      this.#d.log.info(`${link.key}: sharing ${list.files.size} files (+${delta.add.length} -${delta.remove.length})`);
    }
  }
}
