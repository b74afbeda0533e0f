// `npm run demo:kafka`: the story of `--demo`, told on real Apache Kafka. It starts a KRaft broker and a Kafka Connect
// cluster of two workers configured as Charmed Kafka Connect is (HTTPS, basic auth, `admin`), creates connectors of
// the fault-injecting plugin, and runs connect-sentinel (the real process, src/main.ts) against them. Ctrl-C stops
// everything it started. Needs Java 17 and Maven (`bash tools/test.sh` installs both).

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KAFKA_VERSIONS, makeConnectTls, startRealKafka, waitFor, type ConnectCluster } from './launcher.ts';

const version = process.argv.find((arg) => arg.startsWith('--kafka-version='))?.split('=')[1] ?? KAFKA_VERSIONS[0];
const port = process.argv.find((arg) => arg.startsWith('--port='))?.split('=')[1] ?? '9843';
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const SOURCE = 'connect.sentinel.fault.FaultSourceConnector';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** The connectors of the story, each a case connect-sentinel handles differently. */
function story(stateDir: string): Record<string, Record<string, string>> {
  return {
    'orders-source': { 'connector.class': SOURCE, 'tasks.max': '2' },
    // Fails 10 s into its first run only (after the rebalances of the connectors' creation): one restart heals it.
    'inventory-source': {
      'connector.class': SOURCE,
      'fault.mode': 'fail-after-ms',
      'fault.after.ms': '10000',
      'fault.fail.first': '1',
      'fault.state.dir': stateDir,
      'fault.exception': 'org.apache.kafka.connect.errors.RetriableException',
      'fault.message': 'leader not available',
    },
    // A configuration error: a built-in rule says never, so it pages at once.
    'billing-source': {
      'connector.class': SOURCE,
      'fault.mode': 'fail-at-start',
      'fault.exception': 'org.apache.kafka.common.config.ConfigException',
      'fault.message': 'Missing required configuration "connection.url" which has no default value.',
    },
    // Fails 20 s after every start: restarted on the backoff until its budget runs out, then it pages.
    'payments-source': {
      'connector.class': SOURCE,
      'fault.mode': 'fail-after-ms',
      'fault.after.ms': '20000',
      'fault.exception': 'org.apache.kafka.connect.errors.ConnectException',
      'fault.message': 'cannot reach the payments database',
      'fault.causes': 'java.sql.SQLException:Connection refused',
    },
    'audit-source': { 'connector.class': SOURCE },
    'legacy-source': { 'connector.class': SOURCE },
  };
}

async function createStory(cluster: ConnectCluster, stateDir: string): Promise<void> {
  for (const [name, config] of Object.entries(story(stateDir))) {
    const answer = await cluster.rest('PUT', `/connectors/${name}/config`, config);
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`creating ${name} failed: ${answer.status} ${answer.text}`);
  }
  await waitFor('the connectors to start', async () => ((await cluster.rest('GET', '/connectors/audit-source/status')).status === 200 ? true : undefined), 60_000);
  await cluster.rest('PUT', '/connectors/audit-source/pause');
  await cluster.rest('PUT', '/connectors/legacy-source/stop');
}

const dir = await mkdtemp(join(tmpdir(), 'connect-sentinel-demo-kafka-'));
const password = 'demo-admin-password';
say(`Starting Apache Kafka ${version} (a KRaft broker and two Kafka Connect workers) in ${dir} ...`);
const tls = await makeConnectTls(dir);
const kafka = await startRealKafka(version, [{ name: 'charmed', workers: 2, tls, basicAuth: { username: 'admin', password }, rebalanceDelayMs: 10_000 }], dir);
const [cluster] = kafka.clusters as [ConnectCluster];
await createStory(cluster, join(dir, 'fault-state'));

await writeFile(join(dir, 'ca.pem'), tls.caPem);
await writeFile(join(dir, 'connect-password'), password);
await writeFile(
  join(dir, 'sentinel.yaml'),
  `clusters:
  - name: charmed
    url: [${cluster.workers.map((worker) => worker.url).join(', ')}]
    basicAuth: { username: admin, passwordFile: connect-password }
    tls: { caFile: ca.pem }
    pollInterval: 5s
web:
  listenAddress: 127.0.0.1:${port}
dataDir: data
restart:
  enabled: true
  defaults:
    backoff: { initial: 15s, multiplier: 2, max: 2m }
    budget: { maxRestarts: 3, window: 30m }
  recovery: { healthyPolls: 2, resetAfter: 5m }
`,
);
const sentinel = spawn(process.execPath, [MAIN, `--config.file=${join(dir, 'sentinel.yaml')}`], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });

say('');
say(`connect-sentinel watches Kafka Connect ${version} at ${cluster.workers.map((worker) => worker.url).join(' and ')} (basic auth, HTTPS).`);
say(`Open http://localhost:${port}/metrics, /api/v1/status and /api/v1/restarts. Within a few minutes:`);
say('  inventory-source fails once, and one restart heals it; billing-source fails with a ConfigException and is never');
say('  restarted (exhausted at once); payments-source fails 20 s after every restart until its budget of 3 runs out;');
say('  audit-source is paused and legacy-source stopped, and both are left alone.');
say(`Kafka and Connect logs: ${dir}. Ctrl-C stops everything.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  say('Stopping connect-sentinel, Kafka Connect and the broker ...');
  sentinel.kill('SIGTERM');
  await new Promise((resolve) => (sentinel.exitCode === null ? sentinel.once('exit', resolve) : resolve(undefined)));
  await kafka.stop();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
sentinel.once('exit', (code) => {
  if (!stopping) {
    say(`connect-sentinel exited (${code}); stopping Kafka.`);
    void stop();
  }
});
