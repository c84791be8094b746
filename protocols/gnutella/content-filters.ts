/**
 * The user's content filters (spec 6 "Content-level"): hostile addresses
 * (hostiles.ts) and spam SHA-1s (spam-sha1s.ts), loaded at start and again on
 * `/ghostiles reload`, and what they stopped, for `/gstatus` and `/ghostiles`.
 */
import { Hostiles } from './hostiles.js';
import { SpamSha1s } from './spam-sha1s.js';

export class ContentFilters {
  readonly hostiles: Hostiles;
  readonly spam: SpamSha1s;

  constructor(files: { hostiles?: string | undefined; spamSha1?: string | undefined }, shunned: (ip: string) => boolean) {
    this.hostiles = new Hostiles(files.hostiles, shunned);
    this.spam = new SpamSha1s(files.spamSha1);
  }

  /** (Re)reads both files; the lines say what was loaded and which lines were bad. */
  async load(now: number): Promise<string[]> {
    const h = this.hostiles.file === undefined ? [] : await this.hostiles.load(now);
    return [...h, ...(await this.spam.load())];
  }

  /** One line: the lists in use and what hostility stopped outside message handling. */
  statusLine(shunnedNow: number): string {
    const h = this.hostiles;
    const c = h.counts;
    const list = h.file === undefined ? 'no hostiles file' : `${h.ranges} hostile ranges from ${h.file}`;
    const spam = this.spam.file === undefined ? '' : `; ${this.spam.size} spam SHA-1s from ${this.spam.file}`;
    return `hostiles: ${list}, ${shunnedNow} offenders shunned${spam}; refused ${c.refused} connections, not dialled ${c.notDialled}, pushes not made ${c.notPushed}, hosts not cached ${c.notCached}`;
  }
}
