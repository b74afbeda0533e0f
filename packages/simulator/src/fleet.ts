// Deterministic synthetic fleets for benchmarks and soak tests (10,000 connectors / 50,000 tasks), and churn steps
// that create, delete, fail, recover and move work the way a busy cluster does.

import { CONNECTOR_PLUGINS, type ConnectorPlugin } from './catalogue.ts';
import type { ConnectorSpec, SimCluster, TaskSpec } from './cluster.ts';
import { seededRandom, type Random } from './random.ts';

export interface FleetOptions {
  connectors: number;
  /** Default 2. */
  tasksPerConnector?: number;
  /** Share of all tasks that are FAILED, each with its plugin's typical trace. Default 0. */
  failedShare?: number;
  /** A worker count (`connect-1:8083` …) or the worker ids. Default 3. */
  workers?: number | readonly string[];
  /** Default 1. */
  seed?: number;
}

export interface Fleet {
  workers: string[];
  connectors: ConnectorSpec[];
}

const SUBJECTS = [
  'orders', 'payments', 'inventory', 'customers', 'shipments', 'invoices', 'clickstream', 'ledger', 'refunds',
  'pricing', 'catalog', 'reviews', 'sessions', 'accounts', 'transfers', 'returns', 'loyalty', 'fraud', 'audit',
  'telemetry', 'bookings', 'claims', 'tickets', 'subscriptions',
];

export function generateFleet(options: FleetOptions): Fleet {
  const random = seededRandom(options.seed ?? 1);
  const tasksPerConnector = options.tasksPerConnector ?? 2;
  const workers = workerIds(options.workers ?? 3);
  const failed = sample(random, options.connectors * tasksPerConnector, Math.round(options.connectors * tasksPerConnector * (options.failedShare ?? 0)));
  const connectors: ConnectorSpec[] = [];
  for (let index = 0; index < options.connectors; index++) {
    const plugin = random.pick(CONNECTOR_PLUGINS);
    const tasks: TaskSpec[] = [];
    for (let task = 0; task < tasksPerConnector; task++) {
      const workerId = workers[(index + task) % workers.length]!;
      tasks.push(
        failed.has(index * tasksPerConnector + task)
          ? { state: 'FAILED', workerId, failure: plugin.typicalFailure }
          : { workerId },
      );
    }
    connectors.push({
      name: connectorName(random, plugin, String(index).padStart(5, '0')),
      connectorClass: plugin.class,
      workerId: workers[index % workers.length]!,
      tasks,
    });
  }
  return { workers, connectors };
}

export interface ChurnOptions {
  /** Changes in this step. Default: 1% of the fleet, at least 1. */
  operations?: number;
}

export interface ChurnSummary {
  created: number;
  deleted: number;
  failed: number;
  recovered: number;
  moved: number;
}

/** One step of churn, the same for the same seed and fleet. */
export function churn(cluster: SimCluster, seed: number, options: ChurnOptions = {}): ChurnSummary {
  const random = seededRandom(seed);
  const names = cluster.names();
  const operations = options.operations ?? Math.max(1, Math.round(names.length / 100));
  const summary: ChurnSummary = { created: 0, deleted: 0, failed: 0, recovered: 0, moved: 0 };
  for (let step = 0; step < operations; step++) {
    const kind = random.below(5);
    if (kind === 0 || names.length === 0) {
      const plugin = random.pick(CONNECTOR_PLUGINS);
      const name = connectorName(random, plugin, `c${seed}-${step}`);
      if (cluster.has(name)) continue;
      cluster.add({ name, connectorClass: plugin.class, tasks: 1 + random.below(4) });
      names.push(name);
      summary.created++;
      continue;
    }
    const name = random.pick(names);
    const record = cluster.record(name);
    if (record === undefined) continue;
    const taskIds = [...record.tasks.keys()];
    const task = taskIds.length === 0 ? undefined : random.pick(taskIds);
    const state = task === undefined ? undefined : record.tasks.get(task)!.state;
    if (kind === 1) {
      cluster.remove(name);
      summary.deleted++;
    } else if (kind === 2 && task !== undefined && state === 'RUNNING') {
      cluster.failTask(name, task);
      summary.failed++;
    } else if (kind === 3 && task !== undefined && state === 'FAILED') {
      cluster.setTaskState(name, task, 'RUNNING');
      summary.recovered++;
    } else if (kind === 4 && task !== undefined) {
      cluster.moveTask(name, task, random.pick(cluster.workers));
      summary.moved++;
    }
  }
  return summary;
}

function workerIds(workers: number | readonly string[]): string[] {
  return typeof workers === 'number' ? Array.from({ length: workers }, (_, i) => `connect-${i + 1}:8083`) : [...workers];
}

function connectorName(random: Random, plugin: ConnectorPlugin, suffix: string): string {
  return `${random.pick(SUBJECTS)}-${plugin.nickname}-${suffix}`;
}

/** `count` distinct integers below `total` (a partial Fisher–Yates shuffle). */
function sample(random: Random, total: number, count: number): Set<number> {
  const indices = Int32Array.from({ length: total }, (_, i) => i);
  const chosen = new Set<number>();
  for (let i = 0; i < Math.min(count, total); i++) {
    const j = i + random.below(total - i);
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
    chosen.add(indices[i]!);
  }
  return chosen;
}
