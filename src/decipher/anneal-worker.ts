/**
 * One annealing worker thread, started by decipherSegments (index.ts) through
 * the shared worker pool: annealing runs are independent, so they spread over
 * the cores. A run's result depends only on its task (its seed included), not
 * on which thread ran it.
 */
import { serveTasks } from '../util/worker-pool.js';
import { runAnnealTask, type AnnealResult, type AnnealTask } from './anneal.js';

void serveTasks<AnnealTask, AnnealResult>(
  async () => undefined,
  async (t) => runAnnealTask(t),
);
