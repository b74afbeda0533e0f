// The state clocks on disk: since when each connector and task has been in its state, kept in `state-clocks.json` in
// the data directory so that a restart of connect-sentinel does not restart them (alerts on "FAILED for 15 minutes"
// read these clocks, not Prometheus's `for:`, which restarts at every gap in the data).
//
// They are monitoring data, not the restart history: a lost write costs at most the clocks of the changes since the
// write before it (they restart at the next poll), so writes are batched, at most one per WRITE_INTERVAL_MS, and
// replace the file atomically (temp file, then rename). A damaged file is moved aside and the clocks start afresh.
//
// Format: {"version":1,"savedAt":"…","clusters":{"<cluster>":{"<connector>":["<state>",sinceMs,[[taskId,"<state>",sinceMs],…]]}}}

import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ClusterView } from '../domain/model.ts';
import { corruptFileName, errorCode, nodeStoreFs, type StoreFs } from '../storage/fs.ts';
import { priorOf, type PriorStates } from './reconcile.ts';

export const STATE_CLOCKS_FILE = 'state-clocks.json';
const VERSION = 1;
/** Most changes reach the disk within this long: short next to the minutes the alerts wait. */
export const WRITE_INTERVAL_MS = 10_000;

export interface StateClocksOptions {
  dataDir: string;
  logger: Logger;
  fs?: StoreFs;
  /** Unix ms, for `savedAt` and the name of a damaged file moved aside. */
  now?: () => number;
  writeIntervalMs?: number;
}

export interface StateClocks {
  /** The clocks an earlier run saved for the cluster, by connector (empty when none); once per cluster. */
  takeRemembered(cluster: string): ReadonlyMap<string, PriorStates>;
  /** The cluster's clocks are now those of `view`; on disk within the write interval. */
  update(view: ClusterView): void;
  /** Only these clusters are watched: the clocks of any other go at the next write. */
  retain(clusters: Iterable<string>): void;
  /** Writes what is pending now instead of at the end of the interval. */
  flush(): Promise<void>;
  /** Writes what is pending, then writes no more. */
  close(): Promise<void>;
}

type Saved = Map<string, Map<string, PriorStates>>;

export async function openStateClocks(options: StateClocksOptions): Promise<StateClocks> {
  const { dataDir, logger } = options;
  const fs = options.fs ?? nodeStoreFs;
  const now = options.now ?? Date.now;
  const interval = options.writeIntervalMs ?? WRITE_INTERVAL_MS;
  const file = join(dataDir, STATE_CLOCKS_FILE);
  const temp = `${file}.tmp-${process.pid}`;

  const saved = await readClocks(fs, file, logger, now());
  /** Per cluster: its encoded clocks, cached until its next update, so an unchanged cluster is not encoded again. */
  const encoded = new Map<string, string>();
  for (const [cluster, connectors] of saved) encoded.set(cluster, encodeCluster([...connectors]));
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;
  let dirty = false;
  let closed = false;
  let failing = false;

  const write = async (): Promise<void> => {
    dirty = false;
    const clusters = [...encoded].map(([cluster, json]) => `${JSON.stringify(cluster)}:${json}`).join(',');
    const text = `{"version":${VERSION},"savedAt":${JSON.stringify(new Date(now()).toISOString())},"clusters":{${clusters}}}\n`;
    try {
      await fs.mkdir(dataDir);
      await fs.writeFileDurably(temp, text);
      await fs.rename(temp, file);
      if (failing) logger.info({ file }, `state clocks ${file} are written again`);
      failing = false;
    } catch (error) {
      await fs.unlink(temp).catch(() => undefined);
      const code = errorCode(error) ?? String(error);
      // Not worth more than one line: the restart history on the same disk reports the failure as a metric.
      if (!failing) logger.warn({ file, code }, `state clocks ${file} cannot be written (${code}); they restart if connect-sentinel restarts`);
      failing = true;
      dirty = true;
    }
  };

  const flush = async (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    while (writing !== undefined) await writing;
    if (!dirty) return;
    writing = write().finally(() => {
      writing = undefined;
    });
    await writing;
  };

  const changed = (): void => {
    dirty = true;
    if (closed || timer !== undefined) return;
    timer = setTimeout(() => void flush(), interval);
    timer.unref();
  };

  return {
    takeRemembered(cluster) {
      const remembered = saved.get(cluster) ?? new Map<string, PriorStates>();
      saved.delete(cluster);
      return remembered;
    },
    update(view) {
      encoded.set(view.cluster, encodeCluster(view.connectors.map((entry) => [entry.status.name, priorOf(entry)])));
      changed();
    },
    retain(clusters) {
      const kept = new Set(clusters);
      for (const cluster of [...encoded.keys()]) {
        if (kept.has(cluster)) continue;
        encoded.delete(cluster);
        saved.delete(cluster);
        changed();
      }
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}

function encodeCluster(connectors: readonly (readonly [string, PriorStates])[]): string {
  const parts: string[] = [];
  for (const [name, { state, since, tasks, taskSince }] of connectors) {
    const taskParts = tasks.map((task, index) => `[${task.id},${JSON.stringify(task.state)},${taskSince[index]}]`);
    parts.push(`${JSON.stringify(name)}:[${JSON.stringify(state)},${since},[${taskParts.join(',')}]]`);
  }
  return `{${parts.join(',')}}`;
}

async function readClocks(fs: StoreFs, file: string, logger: Logger, now: number): Promise<Saved> {
  let text: string;
  try {
    text = await fs.readFile(file);
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'ENOENT') logger.warn({ file, code }, `state clocks ${file} cannot be read (${code ?? String(error)}); they start afresh`);
    return new Map();
  }
  try {
    return decodeClocks(text);
  } catch (error) {
    const aside = corruptFileName(file, now);
    const problem = error instanceof Error ? error.message : String(error);
    await fs.rename(file, aside).catch(() => undefined);
    logger.warn({ file, moved_to: aside }, `state clocks ${file} are damaged (${problem}); moved them to ${aside}, and they start afresh`);
    return new Map();
  }
}

/** Strict: anything but the format above is refused with where it went wrong. */
export function decodeClocks(text: string): Saved {
  const document: unknown = JSON.parse(text);
  if (!isObject(document) || document['version'] !== VERSION || !isObject(document['clusters'])) {
    throw new Error(`not a version ${VERSION} state clocks document`);
  }
  const saved: Saved = new Map();
  for (const [cluster, connectors] of Object.entries(document['clusters'])) {
    if (!isObject(connectors)) throw new Error(`clusters.${cluster} is not an object`);
    const byName = new Map<string, PriorStates>();
    for (const [name, entry] of Object.entries(connectors)) {
      const where = `clusters.${cluster}.${name}`;
      if (!Array.isArray(entry) || entry.length !== 3 || typeof entry[0] !== 'string' || !isTime(entry[1]) || !Array.isArray(entry[2])) {
        throw new Error(`${where} is not [state, sinceMs, tasks]`);
      }
      const tasks: { id: number; state: string }[] = [];
      const taskSince: number[] = [];
      for (const task of entry[2] as unknown[]) {
        if (!Array.isArray(task) || task.length !== 3 || !Number.isSafeInteger(task[0]) || typeof task[1] !== 'string' || !isTime(task[2])) {
          throw new Error(`${where} has a task that is not [id, state, sinceMs]`);
        }
        tasks.push({ id: task[0] as number, state: task[1] });
        taskSince.push(task[2] as number);
      }
      byName.set(name, { state: entry[0], since: entry[1] as number, tasks, taskSince });
    }
    saved.set(cluster, byName);
  }
  return saved;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTime(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
