import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // vi.waitFor waits 10 s unless told otherwise (test/setup/wait-for.ts).
    setupFiles: ['test/setup/wait-for.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest runs one file at a time on a 2-core machine (cores - 1). Most of our files wait on
    // sockets, timers and child processes rather than the CPU, so two at a time there take
    // about two thirds of the time; on bigger machines vitest's own default stands.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
