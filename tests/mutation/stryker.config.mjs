// StrykerJS settings for `npm run test:mutation [module…]`; the module comes from DOCRPC_MUTATE
// (and DOCRPC_MUTATE_ONLY / DOCRPC_MUTATE_TESTS, see modules.mjs).
import { selectedModule } from './modules.mjs';

const module = selectedModule();

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'tests/mutation/vitest.config.ts', related: false },
  // TypeScript 7 lacks the TS 5 API Stryker's tsconfig preprocessor calls (parseConfigFileTextToJson):
  // a tsconfig that does not exist skips that step; vitest compiles the sources itself.
  tsconfigFile: 'tsconfig.stryker-none.json',
  mutate: module.mutate,
  coverageAnalysis: 'perTest',
  // A mutant in code that runs outside any single test (module top level, or a beforeAll that uploads)
  // needs every test file re-run: ~40% of the files module's mutants, ~90% of its time. Skipped by
  // default (reported as Ignored); DOCRPC_MUTATE_STATIC=1 runs them too.
  ignoreStatic: process.env.DOCRPC_MUTATE_STATIC !== '1',
  // 2 cores shared with the embedded PostgreSQL each run starts.
  concurrency: 1,
  timeoutMS: 30_000,
  incremental: true,
  incrementalFile: `reports/mutation/${module.label}-incremental.json`,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${module.label}.html` },
  jsonReporter: { fileName: `reports/mutation/${module.label}.json` },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
