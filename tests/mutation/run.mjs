// `npm run test:mutation [tasks|files|auth|documents …]`: one Stryker run per module (all four when none is named),
// incremental, so a re-run only tests the mutants whose code or tests changed.
import { spawnSync } from 'node:child_process';
import { mutationModules } from './modules.mjs';

const names = process.argv.slice(2);
const unknown = names.filter((name) => !(name in mutationModules));
if (unknown.length > 0) {
  console.error(
    `unknown module(s): ${unknown.join(', ')}; choose from ${Object.keys(mutationModules).join(', ')}`,
  );
  process.exit(2);
}
for (const name of names.length > 0 ? names : Object.keys(mutationModules)) {
  const run = spawnSync('npx', ['stryker', 'run', 'tests/mutation/stryker.config.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, DOCRPC_MUTATE: name },
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
