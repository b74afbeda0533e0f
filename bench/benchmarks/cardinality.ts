// Figure 6: series per connector and per task in both metrics modes (full state sets, and
// `metrics.dropZeroStates`), and what each series costs in exposition bytes, plain and gzip.

import { gzipSync } from 'node:zlib';
import { METRICS, type MetricKey } from '../../src/metrics/catalogue.ts';
import type { ClusterView } from '../../src/domain/model.ts';
import { DEFAULT_TRUST_OPTIONS } from '../../src/poller/reconcile.ts';
import { Agent } from 'undici';
import type { BenchService } from '../lib/service.ts';

export interface SeriesCounts {
  connector: number;
  task: number;
  /** Cluster-level and auto-restart series of the poll. */
  cluster: number;
  /** The exporter's own metrics (requests, poll errors, process). */
  exporter: number;
  total: number;
}

export interface ModeCardinality {
  series: SeriesCounts;
  perConnector: number;
  perTask: number;
  bytes: number;
  gzipBytes: number;
}

export interface CardinalityResult {
  connectors: number;
  tasks: number;
  failedConnectors: number;
  failedTasks: number;
  full: ModeCardinality;
  dropZeroStates: ModeCardinality;
}

type Scope = 'connector' | 'task' | 'cluster';

const SCOPES: ReadonlyMap<string, Scope> = new Map(
  (Object.entries(METRICS) as Array<[MetricKey, (typeof METRICS)[MetricKey]]>)
    .filter(([, definition]) => definition.source === 'poll')
    .map(([key, definition]) => [definition.name, scopeOf(key)]),
);

function scopeOf(key: MetricKey): Scope {
  if (key.startsWith('connector')) return 'connector';
  if (key.startsWith('task')) return 'task';
  return 'cluster';
}

export function countSeries(exposition: string): SeriesCounts {
  const counts: SeriesCounts = { connector: 0, task: 0, cluster: 0, exporter: 0, total: 0 };
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const end = line.search(/[{ ]/);
    counts[SCOPES.get(end === -1 ? line : line.slice(0, end)) ?? 'exporter'] += 1;
    counts.total += 1;
  }
  return counts;
}

async function scrapeText(url: string): Promise<string> {
  const agent = new Agent();
  try {
    const response = await agent.request({ origin: url, path: '/metrics', method: 'GET' });
    return await response.body.text();
  } finally {
    await agent.close();
  }
}

async function modeOf(service: BenchService, view: ClusterView): Promise<ModeCardinality> {
  const text = await scrapeText(service.url);
  const series = countSeries(text);
  const tasks = view.connectors.reduce((sum, { status }) => sum + status.tasks.length, 0);
  return {
    series,
    perConnector: series.connector / view.connectors.length,
    perTask: series.task / tasks,
    bytes: Buffer.byteLength(text),
    gzipBytes: gzipSync(text).length,
  };
}

/**
 * `full` and `dropping` watch the same cluster, which earlier benchmarks churned while only one of them polled. A
 * deleted connector stays in the output until it has been absent from enough polls, so both are polled that many
 * times here: they then show the same connectors.
 */
export async function measureCardinality(full: BenchService, dropping: BenchService): Promise<CardinalityResult> {
  for (let poll = 0; poll < DEFAULT_TRUST_OPTIONS.absentPollsBeforeDelete; poll += 1) {
    await full.app.pollAll();
    await dropping.app.pollAll();
  }
  const view = full.app.views()[0]!;
  const tasks = view.connectors.flatMap(({ status }) => status.tasks);
  return {
    connectors: view.connectors.length,
    tasks: tasks.length,
    failedConnectors: view.connectors.filter(({ status }) => status.state === 'failed').length,
    failedTasks: tasks.filter((task) => task.state === 'failed').length,
    full: await modeOf(full, view),
    dropZeroStates: await modeOf(dropping, dropping.app.views()[0]!),
  };
}
