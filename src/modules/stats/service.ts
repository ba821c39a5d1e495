// A user's usage at a glance (files, bytes, quota, types, documents, LLM tokens); admins also see the server's totals.
import { type TaskStatus, taskStatus } from '../../db/schema/tasks.js';
import type { AppDeps, Caller } from '../../deps.js';
import {
  documentTotals,
  filesByType,
  meanRunTimes,
  serverTotals,
  tasksByStatus,
  tokensByModel,
} from './queries.js';
import type { StatsOverview } from './schemas.js';

export async function getOverview(deps: AppDeps, caller: Caller): Promise<StatsOverview> {
  const [types, totals, statuses, runTimes, documentRow, tokenRows] = await Promise.all([
    filesByType(deps.db, caller.id),
    caller.role === 'admin' ? serverTotals(deps.db) : Promise.resolve(undefined),
    tasksByStatus(deps.db, caller.id),
    meanRunTimes(deps.db, caller.id),
    documentTotals(deps.db, caller.id),
    tokensByModel(deps.db, caller.id),
  ]);
  const byModel = tokenRows.map((row) => ({
    model: row.model,
    promptTokens: Number(row.promptTokens),
    completionTokens: Number(row.completionTokens),
    calls: row.calls,
  }));
  const byStatus = Object.fromEntries(taskStatus.enumValues.map((status) => [status, 0])) as Record<
    TaskStatus,
    number
  >;
  for (const row of statuses) byStatus[row.status] = row.count;
  const byType = types.map((row) => ({ mime: row.mime, count: row.count, bytes: Number(row.bytes) }));
  return {
    files: {
      count: byType.reduce((sum, row) => sum + row.count, 0),
      bytes: byType.reduce((sum, row) => sum + row.bytes, 0),
      quotaBytes: deps.config.files.userQuotaBytes,
      byType,
    },
    tasks: { byStatus, meanRunSecondsByType: runTimes },
    documents: {
      count: documentRow?.documents ?? 0,
      words: Number(documentRow?.words ?? 0),
      summaries: documentRow?.summaries ?? 0,
    },
    tokens: {
      promptTokens: byModel.reduce((sum, row) => sum + row.promptTokens, 0),
      completionTokens: byModel.reduce((sum, row) => sum + row.completionTokens, 0),
      calls: byModel.reduce((sum, row) => sum + row.calls, 0),
      byModel,
    },
    totals: totals
      ? {
          users: totals.users,
          files: totals.files,
          bytes: Number(totals.bytes),
          storedBytes: Number(totals.storedBytes),
        }
      : null,
  };
}
