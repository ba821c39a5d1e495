// Every table, one module per domain; drizzle-kit and the db client read the schema from here.
export * from './users.js';
