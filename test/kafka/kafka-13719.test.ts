// Issue 12 item 2 against real Kafka Connect 3.1.0, which has KAFKA-13719: a bulk restart
// (`includeTasks=true&onlyFailed=true`) with FAILED tasks on more than one worker starts duplicate tasks. There,
// connect-sentinel restarts each FAILED task on its own. The fault plugin counts every start of a task in a file, so
// the test sees exactly how often each task was started.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAFKA_13719_VERSION, startRealKafka, waitFor, type ConnectCluster, type RealKafka } from '../../tools/kafka/launcher.ts';
import { samplesOf } from '../metrics/validator.ts';
import { startLiveSentinel, type LiveSentinel } from '../monitoring/sentinel.ts';
import { select, valueOf } from '../service/harness.ts';
import { tool } from '../support/tools.ts';

const FAULT_SOURCE = 'connect.sentinel.fault.FaultSourceConnector';
const WAIT_MS = 90_000;
const TASKS = 4;

interface Status {
  connector: { state: string };
  tasks: Array<{ id: number; state: string; worker_id: string }>;
}

describe(`real Kafka Connect ${KAFKA_13719_VERSION} (KAFKA-13719)`, { timeout: 3 * WAIT_MS }, () => {
  let kafka: RealKafka;
  let cluster: ConnectCluster;
  let stateDir: string;
  let sentinel: LiveSentinel | undefined;

  beforeAll(async () => {
    for (const needed of ['java', 'javac', 'mvn'] as const) tool(needed);
    const dir = await mkdtemp(join(tmpdir(), `connect-sentinel-real-${KAFKA_13719_VERSION}-`));
    stateDir = join(dir, 'fault-state');
    kafka = await startRealKafka(KAFKA_13719_VERSION, [{ name: 'spread', workers: 2, rebalanceDelayMs: 5000 }], dir);
    [cluster] = kafka.clusters as [ConnectCluster];
  }, 300_000);

  afterAll(async () => {
    await sentinel?.close();
    await kafka?.stop();
    if (kafka) await rm(kafka.dir, { recursive: true, force: true });
  }, 120_000);

  const status = async (name: string) => (await cluster.rest('GET', `/connectors/${name}/status`)).body as Status;
  /** How often each task of `name` was started, from the fault plugin's counters. */
  const starts = async (name: string) =>
    Promise.all(Array.from({ length: TASKS }, async (_, task) => Number((await readFile(join(stateDir, `${name}-${task}.starts`), 'utf8')).trim())));

  /** A connector whose tasks all fail at their first start, and run from the second on; spread over both workers. */
  async function failingOnBothWorkers(name: string): Promise<void> {
    const created = await cluster.rest('PUT', `/connectors/${name}/config`, {
      'connector.class': FAULT_SOURCE,
      'tasks.max': String(TASKS),
      'fault.mode': 'fail-at-start',
      'fault.fail.first': '1',
      'fault.state.dir': stateDir,
      'fault.exception': 'org.apache.kafka.connect.errors.ConnectException',
      'fault.message': 'cannot reach the database yet',
    });
    expect([200, 201], created.text).toContain(created.status);
    const failed = await waitFor(`the ${TASKS} tasks of ${name} FAILED`, async () => {
      const now = await status(name);
      return now.tasks.length === TASKS && now.tasks.every((task) => task.state === 'FAILED') ? now : undefined;
    }, WAIT_MS);
    expect(new Set(failed.tasks.map((task) => task.worker_id)).size).toBe(2);
  }

  it('Connect itself: a bulk restart with FAILED tasks on both workers starts tasks twice', async () => {
    await failingOnBothWorkers('bulk-source');
    const answer = await cluster.rest('POST', '/connectors/bulk-source/restart?includeTasks=true&onlyFailed=true');
    expect(answer.status, answer.text).toBe(202);
    // Each task failed at its first start; one restart is one more start. Here some get two.
    const counted = await waitFor('a task started more than twice', async () => {
      const now = await starts('bulk-source').catch(() => []);
      return now.some((count) => count > 2) ? now : undefined;
    }, WAIT_MS);
    expect(counted.reduce((sum, count) => sum + count, 0)).toBeGreaterThan(2 * TASKS);
  });

  it('connect-sentinel restarts the FAILED tasks one by one: each task starts once more, and no call is a bulk restart', async () => {
    await failingOnBothWorkers('spread-source');
    sentinel = await startLiveSentinel({
      clusters: [{ name: 'spread', url: cluster.workers.map((worker) => worker.url), pollInterval: '1s', connectors: { include: ['spread-source'] } }],
      restart: { enabled: true, defaults: { backoff: { jitter: 0 } } },
    });
    await waitFor('every task RUNNING', async () => {
      const now = await status('spread-source');
      return now.tasks.length === TASKS && now.tasks.every((task) => task.state === 'RUNNING') ? true : undefined;
    }, WAIT_MS);
    // Once failed at its first start, once restarted: never a duplicate.
    expect(await starts('spread-source')).toEqual(Array(TASKS).fill(2));

    const samples = samplesOf(await (await fetch(`http://${sentinel.address}/metrics`)).text());
    expect(select(samples, 'kafka_connect_cluster_info', { connect_cluster: 'spread' })[0]?.labels['version']).toBe(KAFKA_13719_VERSION);
    const requests = (endpoint: string) =>
      select(samples, 'kafka_connect_exporter_rest_requests_total', { connect_cluster: 'spread', endpoint }).reduce((sum, sample) => sum + Number(sample.value), 0);
    expect(requests('task_restart')).toBe(TASKS);
    expect(requests('connector_restart')).toBe(0);
    for (const task of Array.from({ length: TASKS }, (_, id) => String(id))) {
      expect(valueOf(samples, 'kafka_connect_autorestart_restarts_total', { connect_cluster: 'spread', connector: 'spread-source', task })).toBe(1);
    }
  });
});
