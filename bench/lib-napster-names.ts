/**
 * The Napster server bench's made-up music library (issue 12 "Speed"): a
 * 20,000-word vocabulary with Zipf-like word frequencies, and for each user a
 * deterministic list of shared paths and queries. Deterministic per user, so
 * the bench and its load-generating child processes build the same files
 * without sending them to each other.
 */
import { prng } from './lib-prng.js';

const SYL = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'xi', 'za', 'be', 'do', 'fu', 'gi', 'ho', 'ju', 'pe', 'qu', 'se', 'wa', 'yo'];
const VOCAB = Array.from(
  { length: 20_000 },
  (_, i) => SYL[i % 20]! + SYL[Math.floor(i / 20) % 20]! + SYL[Math.floor(i / 400) % 20]! + (i >= 8000 ? SYL[i % 7]! : ''),
);
const GENRES = VOCAB.slice(0, 50);

/** One user's shares and the queries drawn from them (about one per 200 files). */
export interface UserLibrary {
  paths: string[];
  queries: string[];
}

/** The library of user `u`: `files` paths like `C:\Music\<genre>\<a> <x> - <b> <y> <z>.mp3`. */
export function userLibrary(u: number, files: number): UserLibrary {
  const r = prng(0x9e3779b1 ^ Math.imul(u + 1, 2654435761));
  // Zipf-like: small indexes are common.
  const word = (): string => VOCAB[Math.floor(VOCAB.length * r() ** 2.5)]!;
  const paths: string[] = [];
  const queries: string[] = [];
  for (let i = 0; i < files; i++) {
    const a = word();
    const b = word();
    paths.push(`C:\\Music\\${GENRES[Math.floor(r() * 50)]!}\\${a} ${word()} - ${b} ${word()} ${word()}.mp3`);
    if (r() < 1 / 200) queries.push(`FILENAME CONTAINS "${a} ${b}" MAX_RESULTS 100`);
  }
  return { paths, queries };
}

/** The payload of the 100 that shares file `i` of a user. */
export function shareText(path: string, i: number): string {
  return `"${path}" 00000000000000000000000000000000 ${3_000_000 + i} 128 44100 ${180 + (i % 120)}`;
}
