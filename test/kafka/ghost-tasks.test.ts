// Real Kafka Connect 2.5.0 (on ZooKeeper), from before KIP-745's restarts: there a bulk restart is only a connector
// restart, so connect-sentinel restarts tasks with the task call. And ghost tasks: lowering `tasks.max` leaves the removed task's
// last status behind, so Connect keeps reporting a FAILED task that no longer exists. Its restart answers 500
// `"uriTemplate" parameter is null.` (Connect tries to forward it to the task's owner, and there is none), not the
// 404 the review expected. connect-sentinel must try it once, take that answer as "gone", and never call again.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GHOST_TASKS_VERSION, startRealKafka, waitFor, type ConnectCluster, type RealKafka } from '../../tools/kafka/launcher.ts';
import { samplesOf } from '../metrics/validator.ts';
import { startLiveSentinel, type LiveSentinel } from '../monitoring/sentinel.ts';
import { select, valueOf } from '../service/harness.ts';
import { connectStatus, FAULT_SOURCE, realKafkaDir, stopRealKafka, untilTasks, WAIT_MS } from './support.ts';

describe(`real Kafka Connect ${GHOST_TASKS_VERSION} (ghost tasks)`, { timeout: 3 * WAIT_MS }, () => {
  let kafka: RealKafka;
  let cluster: ConnectCluster;
  let sentinel: LiveSentinel | undefined;
  let healer: LiveSentinel | undefined;
  let dir: string;

  beforeAll(async () => {
    dir = await realKafkaDir(GHOST_TASKS_VERSION);
    kafka = await startRealKafka(GHOST_TASKS_VERSION, [{ name: 'old', workers: 1 }], dir);
    [cluster] = kafka.clusters as [ConnectCluster];
  }, 300_000);

  afterAll(() => stopRealKafka(kafka, sentinel, healer), 120_000);

  const configure = async (name: string, config: Record<string, string>) => {
    const answer = await cluster.rest('PUT', `/connectors/${name}/config`, { 'connector.class': FAULT_SOURCE, ...config });
    expect([200, 201], answer.text).toContain(answer.status);
  };

  it('a task removed by lowering tasks.max stays FAILED in the status; connect-sentinel tries it once, takes the answer as gone, and stops', async () => {
    await configure('shrinking', { 'tasks.max': '2', 'fault.mode': 'fail-at-start' });
    await untilTasks(cluster, 'shrinking', 2, 'FAILED');
    await configure('shrinking', { 'tasks.max': '1', 'fault.mode': 'run' });
    // Connect 2.5 itself: task 0 runs with the new config; task 1 exists no more, but its FAILED status stays.
    const ghost = await waitFor('task 0 RUNNING beside the ghost of task 1', async () => {
      const now = await connectStatus(cluster, 'shrinking');
      return now.tasks.find((task) => task.id === 0)?.state === 'RUNNING' ? now : undefined;
    }, WAIT_MS);
    expect(ghost.tasks).toEqual([expect.objectContaining({ id: 0, state: 'RUNNING' }), expect.objectContaining({ id: 1, state: 'FAILED' })]);
    // Its restart cannot be forwarded to an owner that does not exist: not a 404, but this 500.
    const restartGhost = await cluster.rest('POST', '/connectors/shrinking/tasks/1/restart');
    expect([restartGhost.status, restartGhost.body]).toEqual([500, { error_code: 500, message: '"uriTemplate" parameter is null.' }]);

    sentinel = await startLiveSentinel({
      clusters: [{ name: 'old', url: cluster.workers[0]!.url, pollInterval: '1s', connectors: { include: ['shrinking'] } }],
      restart: { enabled: true, defaults: { backoff: { initial: '1s', max: '1s', jitter: 0 } } },
    });
    const live = sentinel;
    const scrape = async () => samplesOf(await (await fetch(`http://${live.address}/metrics`)).text());
    const taskRestarts = (samples: Awaited<ReturnType<typeof scrape>>) =>
      select(samples, 'kafka_connect_exporter_rest_requests_total', { connect_cluster: 'old', endpoint: 'task_restart' });
    await waitFor('the answer to the ghost\'s restart', async () => (taskRestarts(await scrape()).length > 0 ? true : undefined), WAIT_MS);
    // Ten more polls, each past the 1s backoff: not one more call for the ghost.
    const polled = valueOf(await scrape(), 'kafka_connect_exporter_polls_total', { connect_cluster: 'old' }) ?? 0;
    await waitFor('ten more polls', async () => ((valueOf(await scrape(), 'kafka_connect_exporter_polls_total', { connect_cluster: 'old' }) ?? 0) >= polled + 10 ? true : undefined), WAIT_MS);
    const samples = await scrape();
    expect(taskRestarts(samples).map((sample) => [sample.labels['code'], Number(sample.value)])).toEqual([['500', 1]]);
    expect(valueOf(samples, 'kafka_connect_autorestart_exhausted', { connect_cluster: 'old', connector: 'shrinking', task: '1' })).toBe(1);
    const listing = (await (await fetch(`http://${live.address}/api/v1/restarts?cluster=old&connector=shrinking`)).json()) as {
      targets: Array<{ task: number | null; lastDecision: { reason: string } | null; lastOutcome: { result: string } | null }>;
    };
    expect(listing.targets.find((target) => target.task === 1)).toMatchObject({ lastDecision: { reason: 'gone' }, lastOutcome: { result: 'gone' } });
  });

  it('before 3.0 the bulk restart is only a connector restart (204): connect-sentinel restarts a FAILED task with the task call, and it runs again', async () => {
    await configure('old-probe', { 'tasks.max': '1', 'fault.mode': 'fail-at-start' });
    await untilTasks(cluster, 'old-probe', 1, 'FAILED');
    // Connect 2.5 itself: the query parameters are ignored, the connector alone restarts, and there is no plan.
    const bulk = await cluster.rest('POST', '/connectors/old-probe/restart?includeTasks=true&onlyFailed=true');
    expect([bulk.status, bulk.text]).toEqual([204, '']);

    await configure('old-healing', { 'tasks.max': '1', 'fault.mode': 'fail-at-start', 'fault.fail.first': '1', 'fault.state.dir': join(dir, 'fault-state') });
    await untilTasks(cluster, 'old-healing', 1, 'FAILED');
    healer = await startLiveSentinel({
      clusters: [{ name: 'old', url: cluster.workers[0]!.url, pollInterval: '1s', connectors: { include: ['old-healing'] } }],
      restart: { enabled: true, defaults: { backoff: { jitter: 0 } } },
    });
    await untilTasks(cluster, 'old-healing', 1, 'RUNNING');
    const samples = samplesOf(await (await fetch(`http://${healer.address}/metrics`)).text());
    const requests = (endpoint: string) => select(samples, 'kafka_connect_exporter_rest_requests_total', { connect_cluster: 'old', endpoint }).map((sample) => [sample.labels['code'], Number(sample.value)]);
    expect(requests('task_restart')).toEqual([['204', 1]]);
    expect(requests('connector_restart')).toEqual([]);
    expect(valueOf(samples, 'kafka_connect_autorestart_restarts_total', { connect_cluster: 'old', connector: 'old-healing', task: '0' })).toBe(1);
  });
});
