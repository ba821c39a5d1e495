// What each mutation run mutates and which test files judge it: one module per run, since a run is slow.
// Kept apart from vitest.config.ts: these test lists only feed Stryker (npm run test:mutation).

/** @type {Record<string, { mutate: string[]; tests: string[] }>} */
export const mutationModules = {
  tasks: {
    mutate: [
      'src/modules/tasks/service.ts',
      'src/modules/tasks/queries.ts',
      'src/modules/tasks/task-reader.ts',
      'src/jobs/task-rows.ts',
    ],
    // Not crash-recovery.test.ts: it runs the code in child processes (no coverage per test) and takes ~18 s.
    tests: [
      'tests/tasks/ownership.test.ts',
      'tests/tasks/task-rows.test.ts',
      'tests/tasks/cancel-retry.caller.test.ts',
      'tests/tasks/watch.test.ts',
      'tests/tasks/tasks.test.ts',
      'tests/tasks/enqueue-atomic.test.ts',
      'tests/tasks/feed-and-stats.test.ts',
    ],
  },
  files: {
    mutate: [
      'src/modules/files/service.ts',
      'src/modules/files/upload.ts',
      'src/modules/files/queries.ts',
      'src/modules/files/content-type.ts',
      'src/db/keyset.ts',
    ],
    tests: ['tests/files/*.test.ts'],
  },
  auth: {
    mutate: [
      'src/auth/authenticate.ts',
      'src/auth/bearer.ts',
      'src/auth/access-tokens.ts',
      'src/auth/queries.ts',
      'src/auth/session-cache.ts',
      'src/auth/passwords.ts',
      'src/auth/tokens.ts',
      'src/modules/auth/api-tokens.ts',
      'src/modules/auth/sessions.ts',
    ],
    // download-scope: API-token scopes on the raw HTTP download route; download: links end with the
    // session or API token they were issued under (isCallerStillValid).
    tests: ['tests/auth/*.test.ts', 'tests/files/download-scope.test.ts', 'tests/files/download.test.ts'],
  },
  documents: {
    // The pure logic of the documents area: chunking and map-reduce of summaries, provider faults, the offline
    // summariser, CJK search tokens and snippets, PDF line assembly, hyphen joining, the extraction byte budget.
    mutate: [
      'src/llm/chunking.ts',
      'src/llm/map-reduce.ts',
      'src/llm/retry-after.ts',
      'src/llm/builtin-extractive.ts',
      'src/llm/provider-errors.ts',
      'src/extraction/search-tokens.ts',
      'src/extraction/hyphenation.ts',
      'src/extraction/pdf-lines.ts',
      'src/extraction/admission.ts',
      'src/modules/documents/search-snippet.ts',
    ],
    // Code that runs only in the extraction threads (piscina) is never switched to a mutant there (Stryker
    // activates mutants in the test's own thread): it is judged by the tests that call it directly
    // (search-tokens, pdf-lines, and recall's joinHyphenatedWords cases).
    tests: [
      'tests/llm/*.test.ts',
      'tests/documents/search.test.ts',
      'tests/documents/search-tokens.test.ts',
      'tests/documents/pdf-lines.test.ts',
      'tests/documents/recall.test.ts',
      'tests/documents/extraction-budget.test.ts',
    ],
  },
};

/**
 * The module named by DOCRPC_MUTATE (set by tests/mutation/run.mjs), narrowed when DOCRPC_MUTATE_ONLY
 * (comma-separated source paths of that module) or DOCRPC_MUTATE_TESTS (comma-separated test globs) is
 * set; a narrowed run keeps its own incremental file and report (`label`), apart from the module's.
 */
export function selectedModule() {
  const name = process.env.DOCRPC_MUTATE ?? '';
  const selected = mutationModules[name];
  if (!selected) {
    throw new Error(
      `DOCRPC_MUTATE must be one of ${Object.keys(mutationModules).join(', ')} (got "${name}")`,
    );
  }
  const list = (value) =>
    value
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : undefined;
  const only = list(process.env.DOCRPC_MUTATE_ONLY);
  const tests = list(process.env.DOCRPC_MUTATE_TESTS);
  const outside = (only ?? []).filter((file) => !selected.mutate.includes(file));
  if (outside.length > 0) throw new Error(`not in module ${name}: ${outside.join(', ')}`);
  return {
    name,
    label: only || tests ? `${name}-narrowed` : name,
    mutate: only ?? selected.mutate,
    tests: tests ?? selected.tests,
  };
}
