// A live run reported from production (two exhausted tasks, a kill and restart of connect-sentinel, a paused
// connector with a FAILED task, a fix), replayed against the simulator (replay.ts; the same scenario runs against real Kafka Connect
// in test/kafka/real-connect.test.ts). Exactly one page per exhausted task, each on its own, none resolved by the
// kill and restart of connect-sentinel, the fixed one resolved, and nothing else.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../packages/simulator/src/index.ts';
import { page, replayLiveRun } from './replay.ts';

const JDBC_SINK = 'io.confluent.connect.jdbc.JdbcSinkConnector';
const JDBC_SOURCE = 'io.confluent.connect.jdbc.JdbcSourceConnector';

let simulator: Simulator;

beforeAll(async () => {
  simulator = await startSimulator({
    restartMode: 'auto',
    restartDelayMs: 200,
    connectors: [
      { name: 'orders', connectorClass: JDBC_SINK, tasks: 1 },
      { name: 'inventory', connectorClass: JDBC_SOURCE, tasks: 1 },
      { name: 'audit', connectorClass: JDBC_SINK, tasks: 1 },
      { name: 'clicks', connectorClass: JDBC_SOURCE, tasks: 2 },
      { name: 'billing', connectorClass: JDBC_SINK, tasks: 1 },
    ],
  });
});

afterAll(async () => {
  await simulator?.close();
});

describe('the reported live run, replayed against the simulator', () => {
  it('pages once per exhausted task through a kill and restart of connect-sentinel and a pause, resolves the fixed one, and sends nothing else', async () => {
    const result = await replayLiveRun({
      cluster: { name: 'prod', url: simulator.url, pollInterval: '1s' },
      connectors: { first: 'orders', second: 'inventory', paused: 'audit' },
      async failForGood(connector) {
        simulator.cluster.failTask(connector, 0, 'connection-refused');
        simulator.cluster.setRestartScript(connector, 0, { permanent: true });
      },
      async pauseWithFailedTask(connector) {
        simulator.cluster.pause(connector);
        simulator.cluster.failTask(connector, 0, 'connection-refused');
        simulator.cluster.setRestartScript(connector, 0, { permanent: true });
      },
      async fix(connector) {
        simulator.cluster.setRestartScript(connector, 0, undefined);
        simulator.cluster.setTaskState(connector, 0, 'RUNNING');
      },
    });

    expect(result.notifications).toEqual([page('prod', 'orders', 'firing'), page('prod', 'inventory', 'firing'), page('prod', 'inventory', 'resolved')]);
    // The gap was real; the clock of the first failure survived it.
    expect(result.lowestUp).toBe(0);
    expect(result.clockAfterRestart).toBe(result.clockBeforeKill);
    const state = (alertname: string, connector: string) =>
      result.alertmanagerAlerts.find((alert) => alert.labels.alertname === alertname && alert.labels.connector === connector)?.status.state;
    expect(state('KafkaConnectTaskFailed', 'orders')).toBe('suppressed');
    expect(result.alertmanagerAlerts.filter((alert) => alert.labels.connector === 'audit')).toEqual([]);
    expect(result.alertmanagerAlerts.map((alert) => alert.labels.alertname).filter((name) => /ExporterDown|ExporterInstanceDown|ClusterGone/.test(name!))).toEqual([]);
  }, 240_000);
});
