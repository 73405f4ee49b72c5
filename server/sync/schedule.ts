// The periodic trigger: a node-cron task that asks the queue for a sync.
import cron from 'node-cron';
import type { SyncQueue } from './queue.ts';

export interface Schedule {
  stop(): void;
  nextRun(): Date | null;
}

export function startSchedule(
  expression: string,
  queue: SyncQueue,
  onError: (err: unknown) => void,
): Schedule {
  const task = cron.schedule(expression, () => {
    queue.trigger('schedule').catch(onError);
  });
  return {
    stop: () => {
      task.stop();
      task.destroy();
    },
    nextRun: () => task.getNextRun(),
  };
}
