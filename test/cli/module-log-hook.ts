/**
 * Records every module a Node process loads, one URL a line, to the file named
 * by `PEERDECK_MODULE_LOG` (issue 9, start-up: which protocols a start pays
 * for). Run the program with `node --import <dist/test/cli/module-log-hook.js>`;
 * nothing in the program knows about it. Imported on the main thread it
 * registers itself as an ESM load hook (module.register); on the hooks thread
 * the same file provides the hook, which appends each URL as it is loaded.
 */
import { appendFileSync } from 'node:fs';
import { register, type InitializeHook, type LoadHook } from 'node:module';
import { isMainThread } from 'node:worker_threads';

/** The environment variable naming the log file. */
export const MODULE_LOG_ENV = 'PEERDECK_MODULE_LOG';

let out: string | undefined;

/** Hooks thread: where to write (the main thread passes the file name). */
export const initialize: InitializeHook<{ file: string }> = (data) => {
  out = data.file;
};

/** Hooks thread: every module loaded, as it is loaded (a module imported twice loads once). */
export const load: LoadHook = async (url, context, next) => {
  if (out !== undefined) appendFileSync(out, url + '\n');
  return next(url, context);
};

const file = process.env[MODULE_LOG_ENV];
if (isMainThread && file !== undefined && file !== '') register(import.meta.url, { data: { file } });
