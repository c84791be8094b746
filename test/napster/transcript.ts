/**
 * Reads the byte-exact OpenNap transcripts in /work/shared/vectors/napster/
 * (specs/napster.md: "each file: timestamped hex + decoded text") into steps
 * a replay can carry out: connect, send bytes, expect a frame, expect EOF, close.
 */
import { readFileSync } from 'node:fs';

export type Step =
  | { kind: 'connect'; who: string }
  | { kind: 'send'; who: string; bytes: Buffer; type?: number; text?: string; byteByByte?: boolean }
  | { kind: 'expect'; who: string; type: number; payload: Buffer }
  | { kind: 'eof'; who: string }
  | { kind: 'close'; who: string };

const FRAME = /^\[\s*[\d.]+\] (\S+)\s+(->|<-) server\s+type=(\d+) /;
const NOTE = /^\[\s*[\d.]+\] (\S+)\s+\*\* (.*)$/;
const HEX_LINE = /^ {4}[0-9a-f]{4} {2}((?:[0-9a-f]{2} ?)+)/;

/** Parses one transcript file into steps, in recorded order. */
export function readTranscript(path: string): Step[] {
  const lines = readFileSync(path, 'latin1').split('\n');
  const steps: Step[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const f = FRAME.exec(line);
    if (f) {
      const hex: string[] = [];
      let j = i + 1;
      for (; j < lines.length; j++) {
        const h = HEX_LINE.exec(lines[j]!);
        if (h) hex.push(h[1]!.replace(/ /g, ''));
        else if (lines[j]!.trim() === '' || FRAME.test(lines[j]!) || NOTE.test(lines[j]!) || lines[j]!.startsWith('[')) break;
      }
      i = j - 1;
      const bytes = Buffer.from(hex.join(''), 'hex');
      const who = f[1]!;
      const type = Number(f[3]);
      if (bytes.readUInt16LE(2) !== type) throw new Error(`${path}:${i}: type mismatch in hex dump`);
      if (f[2] === '->') steps.push({ kind: 'send', who, bytes, type, text: bytes.subarray(4).toString('latin1') });
      else steps.push({ kind: 'expect', who, type, payload: bytes.subarray(4) });
      continue;
    }
    const n = NOTE.exec(line);
    if (!n) continue;
    const who = n[1]!;
    const what = n[2]!;
    let m: RegExpExecArray | null;
    if (what.startsWith('TCP connect')) steps.push({ kind: 'connect', who });
    else if (what.startsWith('server closed')) steps.push({ kind: 'eof', who });
    else if (what.startsWith('client closed')) steps.push({ kind: 'close', who });
    else if ((m = /^raw bytes out: ([0-9a-f]+)$/.exec(what))) steps.push({ kind: 'send', who, bytes: Buffer.from(m[1]!, 'hex') });
    else if ((m = /^sent ([0-9a-f]+) one byte at a time$/.exec(what))) steps.push({ kind: 'send', who, bytes: Buffer.from(m[1]!, 'hex'), byteByByte: true });
    else throw new Error(`${path}: unknown note: ${what}`);
  }
  return steps;
}
