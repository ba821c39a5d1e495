// `npx tsx bench/tasks/enqueue-micro.ts`: in-process cost of the pieces of an enqueue, 10 concurrent callers, against
// a durable embedded PostgreSQL: node CPU of this process and CPU of the postmaster with all its children, per call.
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql as drizzleSql } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { fromDrizzle } from 'pg-boss';
import { loadConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/client.js';
import { tasks, users } from '../../src/db/schema/index.js';
import { fromPostgresJs } from '../../src/jobs/postgres-js-adapter.js';
import { startJobQueue } from '../../src/jobs/queue.js';
import { queueName } from '../../src/jobs/registry.js';
import { createLogger } from '../../src/logger.js';
import { insertTask } from '../../src/modules/tasks/queries.js';
import { enqueueTask } from '../../src/modules/tasks/service.js';
import { startBenchDb } from '../lib/bench-db.js';
import { processCpuMs } from '../lib/cpu-usage.js';

const CALLS = 1000;
const CALLERS = 10;
const tmp = mkdtempSync(join(tmpdir(), 'docrpc-enqueue-micro-'));
chmodSync(tmp, 0o755);
const pg = await startBenchDb(join(tmp, 'pg'), { ephemeral: false });
const dbCpu = () => pg.pids().reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0);
const handle = connectDatabase(pg.url, { max: CALLERS });
await migrate(handle.db, { migrationsFolder: 'migrations' });
const config = loadConfig({ DATABASE_URL: pg.url, DATA_DIR: join(tmp, 'data'), LOG_LEVEL: 'warn' });
const boss = await startJobQueue(pg.url, config, createLogger(config));
const [user] = await handle.db
  .insert(users)
  .values({ email: 'micro@example.com', username: 'micro', passwordHash: 'not used' })
  .returning({ id: users.id });
if (!user) throw new Error('no user');
const deps = { db: handle.db, jobs: boss };
const queue = queueName('demo');
const newTask = () => ({ id: randomUUID(), ownerId: user.id, type: 'demo', input: {}, jobId: randomUUID() });

const cases: [string, () => Promise<unknown>][] = [
  ['select 1 (round-trip floor)', () => handle.sql`select 1`],
  ['insert task row, drizzle (unprepared)', () => handle.db.insert(tasks).values(newTask()).returning()],
  ['insert task row, postgres-js (prepared)', () => handle.sql.begin((tx) => insertTask(tx, newTask()))],
  ["boss.send, pg-boss's own pool", () => boss.send(queue, { taskId: randomUUID() })],
  [
    'boss.send via drizzle (unprepared)',
    () => boss.send(queue, { taskId: randomUUID() }, { db: fromDrizzle(handle.db, drizzleSql) }),
  ],
  [
    'boss.send via postgres-js (prepared)',
    () => boss.send(queue, { taskId: randomUUID() }, { db: fromPostgresJs(handle.sql) }),
  ],
  [
    'enqueue before: drizzle tx(row + send, pipelined)',
    () =>
      handle.db.transaction(async (tx) => {
        const task = newTask();
        await Promise.all([
          tx.insert(tasks).values(task).returning(),
          boss.send(queue, { taskId: task.id }, { id: task.jobId, db: fromDrizzle(tx, drizzleSql) }),
        ]);
      }),
  ],
  ["docrpc's enqueueTask now (postgres-js tx, prepared)", () => enqueueTask(deps, user, 'demo', {})],
];

console.log(`${CALLS} calls each, ${CALLERS} concurrent callers`);
for (const [label, call] of cases) {
  for (let i = 0; i < 100; i++) await call();
  const node0 = process.cpuUsage();
  const db0 = dbCpu();
  const started = performance.now();
  let issued = 0;
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (issued++ < CALLS) await call();
    }),
  );
  const ms = performance.now() - started;
  const node = process.cpuUsage(node0);
  console.log(
    `${label.padEnd(48)} ${((CALLS * 1000) / ms).toFixed(0).padStart(6)}/s  node ` +
      `${((node.user + node.system) / CALLS).toFixed(0).padStart(5)} µs  db ` +
      `${(((dbCpu() - db0) * 1000) / CALLS).toFixed(0).padStart(5)} µs`,
  );
}
await boss.stop({ graceful: false, close: true });
await handle.close();
await pg.stopAndRemove();
rmSync(tmp, { recursive: true, force: true });
process.exit(0);
