// Every table, one module per domain; drizzle-kit and the db client read the schema from here.
export * from './auth.js';
export * from './documents.js';
export * from './files.js';
export * from './rate-limits.js';
export * from './summaries.js';
export * from './tasks.js';

export * from './users.js';
