// The vitest settings Stryker runs: the repository's own, narrowed to the test files of the mutated module.
import { defineConfig } from 'vitest/config';
import baseConfig from '../../vitest.config.js';
import { selectedModule } from './modules.mjs';

// Not mergeConfig: it would append to the base `include` instead of replacing it.
export default defineConfig({ ...baseConfig, test: { ...baseConfig.test, include: selectedModule().tests } });
