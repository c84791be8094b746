import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where the recorded opennap 0.44 transcripts live (napster.md, "vectors"). */
export const VECTOR_DIR = '/work/shared/vectors/napster';

/** One recorded block: a frame to or from the server, or bytes on a peer-to-peer data link. */
export interface VectorRecord {
  file: string;
  who: string;
  /** `to-server`, `from-server`, or a data-link send/receive. */
  dir: 'to-server' | 'from-server' | 'peer-send' | 'peer-recv';
  type?: number;
  /** The bytes as the hex dump shows them (whole frame, header included, for server frames). */
  bytes: Buffer;
  /** Declared length (payload for frames, byte count for peer links). */
  length: number;
}

/** Reads every transcript into records (the hex dump is the truth; the text line is only decoration). */
export function loadVectors(): VectorRecord[] {
  const out: VectorRecord[] = [];
  for (const file of readdirSync(VECTOR_DIR).filter((f) => f.endsWith('.txt')).sort()) {
    let cur: VectorRecord | undefined;
    for (const line of readFileSync(join(VECTOR_DIR, file), 'latin1').split('\n')) {
      const head = /^\[\s*[\d.]+\]\s+(\S+)\s+(->|<-)\s+(\S+)\s+(.*)$/.exec(line);
      if (head) {
        cur = undefined;
        const [, who, arrow, other, rest] = head as unknown as [string, string, string, string, string];
        const frame = /^type=(\d+) .*len=(\d+)/.exec(rest);
        const peer = /^\(peer link .*\) (\d+) bytes/.exec(rest);
        if (other === 'server' && frame) {
          cur = { file, who, dir: arrow === '->' ? 'to-server' : 'from-server', type: Number(frame[1]), bytes: Buffer.alloc(0), length: Number(frame[2]) };
        } else if (peer) {
          cur = { file, who, dir: arrow === '->' ? 'peer-send' : 'peer-recv', bytes: Buffer.alloc(0), length: Number(peer[1]) };
        }
        if (cur) out.push(cur);
        continue;
      }
      const hex = /^\s{4}[0-9a-f]{4}\s\s((?:[0-9a-f]{2} ?)+)/.exec(line);
      if (cur && hex) cur.bytes = Buffer.concat([cur.bytes, Buffer.from(hex[1]!.replace(/\s+/g, ''), 'hex')]);
    }
  }
  return out;
}

/** A frame record's payload as the latin-1 string the client works with. */
export function payload(r: VectorRecord): string {
  return r.bytes.subarray(4).toString('latin1');
}
