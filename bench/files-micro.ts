// `npx tsx bench/files-micro.ts`: in-process cost (µs/op) of the per-request steps of docrpc's file.list that the
// bare baseline does not have (or does differently), to explain the gap files.bench.ts measures.
import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { drizzle } from 'drizzle-orm/postgres-js';
import { jwtVerify } from 'jose';
import { pino } from 'pino';
import postgres from 'postgres';
import superjson from 'superjson';
import * as schema from '../src/db/schema/index.js';
import { createLogger } from '../src/logger.js';
import {
  issueAccessToken,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  verifyAccessToken,
} from '../src/modules/auth/access-tokens.js';
import { selectSessionCaller } from '../src/modules/auth/queries.js';
import { deriveAuthSecrets } from '../src/modules/auth/secrets.js';
import { ZListFilesInput, ZListFilesOutput } from '../src/modules/files/schemas.js';
import { measure } from './lib/measure.js';

/** A page like listFiles returns: 20 rows, two Dates each. */
function page() {
  const now = new Date();
  return {
    items: Array.from({ length: 20 }, (_, i) => ({
      id: randomUUID(),
      name: `seed-${i}.txt`,
      mime: 'text/plain',
      size: 1000 + i,
      sha256: 'ab'.repeat(32),
      tags: ['bench'],
      createdAt: now,
      updatedAt: now,
    })),
    nextCursor: 'WyIyMDI2LTExLTI5IDA2OjA2OjEyLjM0NTY3OCswMCIsImFiYyJd',
  };
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_MICRO_N ?? '5000');
  console.log(`node ${process.version}, ${n} iterations x 5 batches each, median`);
  const { jwtKey } = deriveAuthSecrets(randomUUID() + randomUUID());
  const now = new Date();
  const claims = { userId: randomUUID(), sessionId: randomUUID(), version: 0 };
  const { token } = await issueAccessToken(jwtKey, claims, 900, now);
  const options = { algorithms: ['HS256'], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE };
  // jose imports raw key bytes into WebCrypto on every call; docrpc's key is a CryptoKey made once.
  const rawKey = randomBytes(32);
  const { token: rawKeyToken } = await issueAccessToken(
    createSecretKey(rawKey).toCryptoKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
    claims,
    900,
    now,
  );

  console.log('\nauthentication (docrpc and the baselines both do this):');
  await measure(
    'verifyAccessToken (jwtVerify with the CryptoKey made once, as now)',
    () => verifyAccessToken(jwtKey, token, now),
    n,
  );
  await measure(
    'jwtVerify with raw key bytes (re-imported per call)',
    () => jwtVerify(rawKeyToken, rawKey, options),
    n,
  );

  // Never connects: queries are only built here.
  const client = postgres('postgres://bench@127.0.0.1:1/none', { max: 1 });
  const db = drizzle(client, { schema });
  console.log(
    '\ndrizzle query building, paid per call unless the query is .prepare()d (the session lookup is;' +
      ' file.list now skips drizzle):',
  );
  await measure('findSessionCaller query .toSQL()', () => selectSessionCaller(db).toSQL(), n);

  const data = page();
  console.log('\nvalidation and serialisation of one 20-row page:');
  await measure('ZListFilesInput.parse({ limit: 20 })', () => ZListFilesInput.parse({ limit: 20 }), n);
  await measure(
    'ZListFilesOutput.parse(page)  (docrpc only: .output())',
    () => ZListFilesOutput.parse(data),
    n,
  );
  await measure(
    'superjson.serialize(page) + JSON.stringify  (both)',
    () => JSON.stringify({ result: { data: superjson.serialize(data) } }),
    n,
  );

  const logger = createLogger(
    { logLevel: 'info', logPretty: false },
    pino.destination({ dest: '/dev/null', sync: true }),
  );
  console.log('\nper-request logging (docrpc only):');
  await measure(
    'access log line (pino, sync write to /dev/null)',
    () =>
      logger.info(
        {
          requestId: randomUUID(),
          method: 'GET',
          path: '/trpc/file.list',
          procedure: 'file.list',
          status: 200,
          ms: 1.23,
        },
        'request',
      ),
    n,
  );
  await client.end({ timeout: 0 });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
