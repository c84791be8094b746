/**
 * How a protocol brings its own command-line flags (issue 7: "protocol-specific
 * flags, options and error codes live with their protocol"). Each protocol
 * exports one ProtocolFlags from `protocols/<name>/flags.ts`; `src/main.ts`
 * lists them, `src/config.ts` adds their option specs to the one parseArgs
 * call and their usage text to USAGE, and each protocol reads its own values
 * back. The core never names a protocol flag.
 */
import type { ParseArgsConfig } from 'node:util';
import { NetError } from './errors.js';
import { hostProblem } from './net/address.js';
import type { LinkLimits } from './net/limits.js';
import type { ProtocolPlugin } from './plugin.js';

/** parseArgs option specs, by flag name without `--`. */
export type FlagSpecs = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs gave for the flags, by name. */
export type FlagValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** The core settings a protocol may need to build its plugin. */
export interface CoreSettings {
  /** `--nick` (validated by the core). */
  nick: string;
  dataDir: string;
}

/** What a protocol's flags ask of the node: its plugins, and room in the global link limits. */
export interface ProtocolSetup {
  /**
   * The plugins to run, in start order; [] when the flags leave the protocol off. Async so a
   * protocol loads its code (`await import('./index.js')`) only when it has a plugin to make:
   * a start with the protocol off never loads it (issue 9, start-up time).
   */
  plugins(core: CoreSettings): Promise<ProtocolPlugin[]>;
  /** Global link limits this protocol needs (a server expecting many users); the node takes the largest asked. */
  limits?: Partial<LinkLimits>;
}

/** One protocol's part of the command line. */
export interface ProtocolFlags {
  /** The protocol's name (for messages). */
  readonly name: string;
  /** Its flags; names must not clash with the core's or another protocol's. */
  readonly options: FlagSpecs;
  /** Its lines of `--help`, each `  --flag ARG   meaning`, joined with newlines. */
  readonly usage: string;
  /**
   * Validates its values (and reads files they name) before anything starts;
   * throws NetError('USAGE') with a message naming the flag. Synchronous and
   * cheap: flags.ts must not import the protocol's plugin (see ProtocolSetup.plugins).
   */
  parse(values: FlagValues): ProtocolSetup;
}

/** A string flag's value, or undefined. */
export function flagString(v: FlagValues, name: string): string | undefined {
  const x = v[name];
  return typeof x === 'string' ? x : undefined;
}

/** A repeatable string flag's values ([] when absent). */
export function flagList(v: FlagValues, name: string): string[] {
  const x = v[name];
  return Array.isArray(x) ? x : typeof x === 'string' ? [x] : [];
}

/** Whether a boolean flag was given. */
export function flagSet(v: FlagValues, name: string): boolean {
  return v[name] === true;
}

/** The largest of each limit asked (undefined fields ask nothing). */
export function mergeLimits(asked: ReadonlyArray<Partial<LinkLimits> | undefined>): Partial<LinkLimits> | undefined {
  const out: Partial<LinkLimits> = {};
  for (const l of asked) {
    if (!l) continue;
    for (const k of ['maxInbound', 'maxOutbound', 'perIp'] as const) {
      const v = l[k];
      if (v !== undefined) out[k] = Math.max(out[k] ?? 0, v);
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A port flag's value (0..65535), `fallback` when absent; throws NetError('USAGE'). */
export function flagPort(v: FlagValues, name: string, fallback: number): number;
export function flagPort(v: FlagValues, name: string, fallback?: undefined): number | undefined;
export function flagPort(v: FlagValues, name: string, fallback?: number): number | undefined {
  const value = flagString(v, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) throw NetError.usage(`--${name}: not a port: ${value}`);
  return n;
}

/**
 * A listening-address flag's value (a literal IP or a host name), undefined
 * when absent; throws NetError('USAGE') naming the flag when it cannot be an
 * address, instead of a DNS error once the node starts (`999.1.1.1`).
 */
export function flagHost(v: FlagValues, name: string): string | undefined {
  const value = flagString(v, name);
  if (value === undefined) return undefined;
  const problem = hostProblem(value);
  if (problem !== undefined) throw NetError.usage(`--${name}: ${value}: ${problem}`);
  return value;
}
