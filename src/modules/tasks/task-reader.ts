// Reads for live subscriptions, batched: one NOTIFY wakes every subscriber of a task at once, and 2,000
// subscribers re-reading the same row one query each took seconds to deliver one event (bench/README.md
// findings, "Subscribers re-read their task on each wake-up"). DataLoader gathers the reads made in the
// same tick into one query. It never caches: a read always joins a batch not yet sent, so it starts after
// the wake-up that asked for it and sees that change.
import DataLoader from 'dataloader';
import type { Database } from '../../db/client.js';
import { perDatabase } from '../../db/per-database.js';
import { findTasksOfOwners } from './queries.js';
import type { TaskOutput } from './schemas.js';

interface TaskKey {
  ownerId: string;
  taskId: string;
}

const loader = perDatabase(
  (db) =>
    new DataLoader<TaskKey, TaskOutput | undefined, string>(
      async (keys) => {
        const ownerIds = [...new Set(keys.map((k) => k.ownerId))];
        const taskIds = [...new Set(keys.map((k) => k.taskId))];
        const rows = await findTasksOfOwners(db, ownerIds, taskIds);
        const byKey = new Map(rows.map(({ ownerId, ...task }) => [`${ownerId}:${task.id}`, task]));
        return keys.map((k) => byKey.get(`${k.ownerId}:${k.taskId}`));
      },
      { cache: false, maxBatchSize: 500 },
    ),
);

/** The caller's task as it is now, or undefined when it is not theirs (or gone). */
export function readTaskForWatcher(db: Database, ownerId: string, taskId: string) {
  return loader(db).load({ ownerId, taskId });
}
