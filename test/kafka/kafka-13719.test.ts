// Real Kafka Connect 3.1.0, which has KAFKA-13719: a bulk restart
// (`includeTasks=true&onlyFailed=true`) with FAILED tasks on more than one worker starts duplicate tasks. There,
// connect-sentinel restarts each FAILED task on its own. The fault plugin counts every start of a task in a file, so
// the test sees exactly how often each task was started.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAFKA_13719_VERSION, startRealKafka, waitFor, type ConnectCluster, type RealKafka } from '../../tools/kafka/launcher.ts';
import { samplesOf } from '../metrics/validator.ts';
import { startLiveSentinel, type LiveSentinel } from '../monitoring/sentinel.ts';
import { select, valueOf } from '../service/harness.ts';
import { FAULT_SOURCE, realKafkaDir, stopRealKafka, taskStarts, untilTasks, WAIT_MS } from './support.ts';

const TASKS = 4;

describe(`real Kafka Connect ${KAFKA_13719_VERSION} (KAFKA-13719)`, { timeout: 3 * WAIT_MS }, () => {
  let kafka: RealKafka;
  let cluster: ConnectCluster;
  let stateDir: string;
  let sentinel: LiveSentinel | undefined;

  beforeAll(async () => {
    const dir = await realKafkaDir(KAFKA_13719_VERSION);
    stateDir = join(dir, 'fault-state');
    kafka = await startRealKafka(KAFKA_13719_VERSION, [{ name: 'spread', workers: 2, rebalanceDelayMs: 5000 }], dir);
    [cluster] = kafka.clusters as [ConnectCluster];
  }, 300_000);

  afterAll(() => stopRealKafka(kafka, sentinel), 120_000);

  const starts = (name: string) => taskStarts(stateDir, name, TASKS);

  /**
   * A connector whose tasks all fail on both workers, however often a rebalance restarts them, until they are healed:
   * from then on they run. Returns each task's starts so far.
   */
  async function failingOnBothWorkersThenHealed(name: string): Promise<number[]> {
    const healed = join(stateDir, `${name}.healed`);
    const created = await cluster.rest('PUT', `/connectors/${name}/config`, {
      'connector.class': FAULT_SOURCE,
      'tasks.max': String(TASKS),
      'fault.mode': 'fail-at-start',
      'fault.fail.until.file': healed,
      'fault.state.dir': stateDir,
      'fault.exception': 'org.apache.kafka.connect.errors.ConnectException',
      'fault.message': 'cannot reach the database yet',
    });
    expect([200, 201], created.text).toContain(created.status);
    const failed = await untilTasks(cluster, name, TASKS, 'FAILED');
    expect(new Set(failed.tasks.map((task) => task.worker_id)).size).toBe(2);
    const before = await starts(name);
    await writeFile(healed, '');
    return before;
  }

  it('Connect itself: a bulk restart with FAILED tasks on both workers starts tasks twice', async () => {
    const before = await failingOnBothWorkersThenHealed('bulk-source');
    const answer = await cluster.rest('POST', '/connectors/bulk-source/restart?includeTasks=true&onlyFailed=true');
    expect(answer.status, answer.text).toBe(202);
    // One restart is one more start. Here some task gets two; the wait fails the test if none ever does.
    await waitFor('a task started twice by one restart', async () => {
      const now = await starts('bulk-source');
      return now.some((count, task) => count >= before[task]! + 2) ? now : undefined;
    }, WAIT_MS);
  });

  it('connect-sentinel restarts the FAILED tasks one by one: each task starts once more, and no call is a bulk restart', async () => {
    const before = await failingOnBothWorkersThenHealed('spread-source');
    sentinel = await startLiveSentinel({
      clusters: [{ name: 'spread', url: cluster.workers.map((worker) => worker.url), pollInterval: '1s', connectors: { include: ['spread-source'] } }],
      restart: { enabled: true, defaults: { backoff: { jitter: 0 } } },
    });
    await untilTasks(cluster, 'spread-source', TASKS, 'RUNNING');
    // One restart each: one more start each, never a duplicate.
    expect(await starts('spread-source')).toEqual(before.map((count) => count + 1));

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
