// Experiment, not a baseline: docrpc unchanged except that every drizzle query goes to postgres-js as a named
// prepared statement (one round trip, parsed once per connection) instead of drizzle's default unnamed one.
import { PostgresJsSession } from 'drizzle-orm/postgres-js';

type PrepareQuery = PostgresJsSession<never, never, never>['prepareQuery'];
const original = PostgresJsSession.prototype.prepareQuery as PrepareQuery;

// drizzle passes `prepare: name !== undefined` to postgres-js; any name turns it on. postgres-js then
// caches one statement per distinct SQL text per connection, which the handful of query shapes allows.
PostgresJsSession.prototype.prepareQuery = function (this: unknown, query, fields, name, ...rest) {
  return original.call(this, query, fields, name ?? '', ...rest);
} as PrepareQuery;

await import('../../src/main.js');
