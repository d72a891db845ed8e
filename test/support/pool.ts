/**
 * A BurstPool for the enclosing describe block (or file) that splits every burst of two frames or more, so
 * every property run takes the worker path. A worker started from the TypeScript sources transpiles itself
 * first: slow on a loaded machine, hence the long start-up timeout.
 */
import { afterAll, beforeAll } from 'vitest';
import { BurstPool, type BurstPoolOptions } from '../../src/crypto/pool.js';

export function splittingPool(options: BurstPoolOptions = {}): () => BurstPool {
  let pool: BurstPool | undefined;
  beforeAll(async () => {
    pool = await BurstPool.create({ workers: 1, minFrames: 2, ...options });
  }, 60_000);
  afterAll(async () => {
    await pool?.close();
  });
  return () => {
    if (pool === undefined) throw new Error('the pool starts in beforeAll');
    return pool;
  };
}
