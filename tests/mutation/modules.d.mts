// Types of modules.mjs for the TypeScript side (tests/mutation/vitest.config.ts).
export declare const mutationModules: Record<string, { mutate: string[]; tests: string[] }>;
export declare function selectedModule(): { name: string; label: string; mutate: string[]; tests: string[] };
