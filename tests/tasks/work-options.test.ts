// How WORKER_CONCURRENCY and WORKER_FETCH_BATCH become pg-boss fetchers and batches.
import { describe, expect, it } from 'vitest';
import { workOptions } from '../../src/jobs/worker.js';

describe('worker fetch options', () => {
  it('splits the concurrency into fetchers whose batches never add up to more than it', () => {
    for (let concurrency = 1; concurrency <= 40; concurrency++) {
      for (let fetchBatch = 1; fetchBatch <= 12; fetchBatch++) {
        const { batchSize, localConcurrency } = workOptions({
          workerConcurrency: concurrency,
          workerFetchBatch: fetchBatch,
        });
        expect(batchSize).toBeGreaterThanOrEqual(1);
        expect(batchSize).toBeLessThanOrEqual(fetchBatch);
        expect(batchSize * localConcurrency).toBeLessThanOrEqual(concurrency);
        // Never more than one batch's worth of slots left idle.
        expect(concurrency - batchSize * localConcurrency).toBeLessThan(localConcurrency);
      }
    }
  });

  it('bursts only when a batch can be full of more than one job', () => {
    expect(workOptions({ workerConcurrency: 8, workerFetchBatch: 4 })).toMatchObject({
      batchSize: 4,
      localConcurrency: 2,
      burstWhenBatchFull: true,
    });
    expect(workOptions({ workerConcurrency: 3, workerFetchBatch: 1 })).toMatchObject({
      batchSize: 1,
      localConcurrency: 3,
      burstWhenBatchFull: false,
    });
  });
});
