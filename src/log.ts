import type { LogLevel } from './app-api.js';

export interface LogEntry {
  at: number;
  level: LogLevel;
  scope: string;
  message: string;
}

export type LogSink = (entry: LogEntry) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A scoped logger. It writes only to the sinks it was given (a log file, stderr
 * in headless mode, `log` events): never to the terminal the TUI owns.
 */
export class Logger {
  constructor(
    private readonly sinks: LogSink[],
    readonly scope = 'core',
    private readonly minLevel: LogLevel = 'info',
  ) {}

  child(scope: string): Logger {
    return new Logger(this.sinks, scope, this.minLevel);
  }

  debug(message: string): void {
    this.#log('debug', message);
  }
  info(message: string): void {
    this.#log('info', message);
  }
  warn(message: string): void {
    this.#log('warn', message);
  }
  error(message: string): void {
    this.#log('error', message);
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.minLevel];
  }

  #log(level: LogLevel, message: string): void {
    if (!this.enabled(level)) return;
    const entry: LogEntry = { at: Date.now(), level, scope: this.scope, message };
    for (const sink of this.sinks) sink(entry);
  }
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger = new Logger([]);

export function formatLogEntry(e: LogEntry): string {
  return `${new Date(e.at).toISOString()} ${e.level.toUpperCase().padEnd(5)} [${e.scope}] ${e.message}`;
}
