// The restart history as this replica records it: read from the store, written through it one change at a time,
// and its state (writable, leading) shown in the self-metrics after every write.

import type { SelfMetrics } from '../metrics/self.ts';
import type { RestartHistory } from '../restart/history.ts';
import type { HistoryStore } from '../restart/history-file.ts';

export interface HistoryWriter {
  readonly store: HistoryStore;
  /** The history as recorded: for a follower, as the leader last wrote it to the shared log. */
  recorded(): RestartHistory;
  /** Only what is recorded is true: `recorded()` moves to `next` once `next` is written. */
  persist(next: RestartHistory): Promise<boolean>;
  /** Publishes the store's state (writable, leading, generation) in the self-metrics. */
  show(): void;
  /** Runs tasks one after another: restart rounds and operator actions share one history. */
  serially<T>(task: () => Promise<T>): Promise<T>;
}

export function historyWriter(store: HistoryStore, selfMetrics: SelfMetrics): HistoryWriter {
  let tail: Promise<unknown> = Promise.resolve();
  const show = () => {
    selfMetrics.setHistoryWritable(store.writable);
    selfMetrics.setLeadership(store.leading, store.generation);
  };
  show();
  return {
    store,
    recorded: () => store.current(),
    async persist(next) {
      const saved = await store.save(next);
      // A replica that lost the lead (fenced by the next leader) has nothing to write: not a write failure.
      if (!saved && store.leading) selfMetrics.historyWriteFailure();
      show();
      return saved;
    },
    show,
    serially<T>(task: () => Promise<T>): Promise<T> {
      const run = tail.then(task, task);
      tail = run.catch(() => undefined);
      return run;
    },
  };
}
