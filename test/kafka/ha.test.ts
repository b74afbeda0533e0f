// Replicas coordinated through Kafka (docs/high-availability.md), on a real broker and a real Connect worker: three
// real connect-sentinel processes share one consumer group and one history topic. What Connect sees is counted by the
// fault plugin (every start of a task), so "exactly what one instance would do" is measured where it happens.

import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '@platformatic/kafka';
import { stringify } from 'yaml';
import { BROKER_SASL_USER, freePort, KAFKA_VERSIONS, startRealKafka, waitFor, type ConnectCluster, type RealKafka } from '../../tools/kafka/launcher.ts';
import { samplesOf } from '../metrics/validator.ts';
import { spawnSentinel, type SentinelProcess } from '../reliability/process.ts';
import { select, valueOf } from '../service/harness.ts';
import { FAULT_SOURCE, realKafkaDir, stopRealKafka, taskStarts, WAIT_MS } from './support.ts';

const SESSION_TIMEOUT_MS = 6_000;
const POLL_INTERVAL_MS = 1_000;

interface Replica {
  name: string;
  address: string;
  process: SentinelProcess;
}

describe.each(KAFKA_VERSIONS)('replicas coordinated through real Kafka %s', { timeout: 3 * WAIT_MS }, (version) => {
  let kafka: RealKafka;
  let connect: ConnectCluster;
  let dir: string;
  let stateDir: string;
  let replicas: Replica[] = [];

  async function writeReplicaConfig(name: string, address: string, ha: Record<string, unknown>): Promise<string> {
    const configFile = join(dir, `${name}.yaml`);
    await writeFile(
      configFile,
      stringify({
        web: { listenAddress: address },
        dataDir: join(dir, `${name}-data`),
        clusters: [{ name: 'plain', url: connect.workers[0]?.url, pollInterval: `${POLL_INTERVAL_MS}ms` }],
        ha: { sessionTimeout: `${SESSION_TIMEOUT_MS}ms`, ...ha },
        restart: {
          enabled: true,
          defaults: { backoff: { initial: '2s', multiplier: 2, max: '8s', jitter: 0 }, budget: { maxRestarts: 3, window: '1h' } },
          rules: [{ name: 'one-restart', match: { connectors: ['ha-paused-leader', 'ha-fenced'] }, budget: { maxRestarts: 1 } }],
        },
      }),
    );
    return configFile;
  }

  async function startReplica(name: string): Promise<Replica> {
    const address = `127.0.0.1:${await freePort()}`;
    const configFile = await writeReplicaConfig(name, address, { bootstrapServers: [kafka.broker.bootstrap], group: 'sentinel-ha', topic: 'sentinel-ha-history' });
    const process = spawnSentinel([`--config.file=${configFile}`]);
    await process.waitForLine('connect-sentinel started');
    const replica = { name, address, process };
    replicas.push(replica);
    return replica;
  }

  async function scrape(replica: Replica) {
    return samplesOf(await (await fetch(`http://${replica.address}/metrics`)).text());
  }

  const alive = () => replicas.filter((replica) => replica.process.child.exitCode === null && replica.process.child.signalCode === null);

  /** The one replica among `among` whose kafka_connect_exporter_leader is 1, once exactly one is. */
  function untilOneLeader(among: Replica[]): Promise<Replica> {
    return waitFor('exactly one leader', async () => {
      const leading = [];
      for (const replica of among) if (valueOf(await scrape(replica), 'kafka_connect_exporter_leader', {}) === 1) leading.push(replica);
      if (leading.length === 1) return leading[0];
      // waitFor shows the last error when it gives up: say who leads, and each replica's last word on leadership.
      const said = among.map((r) => `${r.name}: ${[...r.process.lines].reverse().find((l) => /lead/.test(String(l['msg'])))?.['msg'] ?? '-'}`);
      throw new Error(`leaders: [${leading.map((r) => r.name).join(', ')}]; ${said.join('; ')}`);
    }, WAIT_MS);
  }

  const restartsSent = async (replica: Replica, connector: string) =>
    select(await scrape(replica), 'kafka_connect_autorestart_restarts_total', { connect_cluster: 'plain', connector }).reduce((sum, s) => sum + Number(s.value), 0);

  const exhausted = async (replica: Replica, connector: string) =>
    valueOf(await scrape(replica), 'kafka_connect_autorestart_exhausted', { connect_cluster: 'plain', connector, task: '0' });

  function untilExhaustedEverywhere(among: Replica[], connector: string): Promise<true> {
    return waitFor(`${connector} exhausted on every replica`, async () => {
      for (const replica of among) if ((await exhausted(replica, connector)) !== 1) return undefined;
      return true;
    }, WAIT_MS);
  }

  /** Waits until every replica in `among` has polled `count` more times: long enough for a wrong restart to show. */
  async function afterPolls(among: Replica[], count: number): Promise<void> {
    const pollsOf = async (replica: Replica) => valueOf(await scrape(replica), 'kafka_connect_exporter_polls_total', { connect_cluster: 'plain' }) ?? 0;
    const start = await Promise.all(among.map(pollsOf));
    await waitFor(`${count} more polls`, async () => {
      const now = await Promise.all(among.map(pollsOf));
      return now.every((value, i) => value >= (start[i] ?? 0) + count) ? true : undefined;
    }, WAIT_MS);
  }

  async function failingConnector(name: string): Promise<void> {
    const answer = await connect.rest('PUT', `/connectors/${name}/config`, {
      'connector.class': FAULT_SOURCE,
      'tasks.max': '1',
      'fault.mode': 'fail-at-start',
      // A file that never appears: every start fails, and each one is counted in the state directory.
      'fault.fail.until.file': join(stateDir, `${name}.never`),
      'fault.state.dir': stateDir,
      'fault.exception': 'org.apache.kafka.connect.errors.ConnectException',
      'fault.message': 'the database is gone',
    });
    expect([200, 201], answer.text).toContain(answer.status);
  }

  /** A log line matching `pattern`, written at `since` or later. */
  const loggedSince = (since: number, pattern: RegExp) => (line: Record<string, unknown>) => Date.parse(String(line['time'])) >= since && pattern.test(String(line['msg']));

  const startsOf = async (name: string) => (await taskStarts(stateDir, name, 1))[0] ?? 0;

  beforeAll(async () => {
    replicas = [];
    dir = await realKafkaDir(version);
    stateDir = join(dir, 'fault-state');
    kafka = await startRealKafka(version, [{ name: 'plain', workers: 1 }], dir);
    [connect] = kafka.clusters as [ConnectCluster];
    for (const name of ['a', 'b', 'c']) await startReplica(name);
  }, 300_000);

  afterAll(async () => {
    for (const replica of replicas) {
      if (replica.process.child.signalCode === 'SIGSTOP') replica.process.child.kill('SIGCONT');
      await replica.process.close();
    }
    await stopRealKafka(kafka);
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('elects one leader; the three replicas restart a failing task exactly as one instance would', async () => {
    const leader = await untilOneLeader(replicas);
    await failingConnector('ha-always');
    await untilExhaustedEverywhere(replicas, 'ha-always');
    // One start at creation and the budget's three restarts; nothing more while every replica polls on.
    expect(await startsOf('ha-always')).toBe(4);
    await afterPolls(replicas, 5);
    expect(await startsOf('ha-always')).toBe(4);
    // Only the leader sent them; the followers show the same history, read from the shared topic.
    for (const replica of replicas) expect(await restartsSent(replica, 'ha-always')).toBe(replica === leader ? 3 : 0);
    const followerView = await (await fetch(`http://${replicas.find((r) => r !== leader)?.address}/api/v1/restarts?cluster=plain&connector=ha-always`)).json();
    expect((followerView as { targets: unknown[] }).targets).toEqual([expect.objectContaining({ task: 0, attempt: 3, exhausted: true })]);
  });

  it('after the leader is killed, another leads within the session timeout and continues its budgets', async () => {
    const leader = await untilOneLeader(alive());
    await failingConnector('ha-killed-leader');
    // Killed once its first restart was answered, between two of its rounds.
    await waitFor('the first restart answered', async () => ((await restartsSent(leader, 'ha-killed-leader')) === 1 && (await startsOf('ha-killed-leader')) === 2 ? true : undefined), WAIT_MS);
    const killedAt = Date.now();
    leader.process.child.kill('SIGKILL');
    await leader.process.exited;

    const survivors = alive();
    const next = await untilOneLeader(survivors);
    const line = await next.process.waitForLine(loggedSince(killedAt, /^This replica leads/));
    const tookOverAfterMs = Date.parse(String(line['time'])) - killedAt;
    // The group notices a dead member after the session timeout; the survivors rejoin at their next heartbeat.
    expect(tookOverAfterMs).toBeLessThan(SESSION_TIMEOUT_MS + SESSION_TIMEOUT_MS / 5 + POLL_INTERVAL_MS + 5_000);

    await untilExhaustedEverywhere(survivors, 'ha-killed-leader');
    // One restart by the old leader, two by the new one: the budget of three, not three more.
    expect(await restartsSent(next, 'ha-killed-leader')).toBe(2);
    await afterPolls(survivors, 5);
    expect(await startsOf('ha-killed-leader')).toBe(4);
  });

  it('a leader paused past the session timeout sends nothing once it runs again: Connect sees one restart', async () => {
    const leader = await untilOneLeader(alive());
    const others = alive().filter((replica) => replica !== leader);
    const generationOf = async (replica: Replica) => valueOf(await scrape(replica), 'kafka_connect_exporter_leader_generation', {}) ?? 0;
    const pausedIn = await generationOf(leader);
    leader.process.child.kill('SIGSTOP');
    try {
      const next = await untilOneLeader(others);
      await failingConnector('ha-paused-leader');
      // Its rule allows one restart: the new leader sends it, then gives up.
      await untilExhaustedEverywhere([next], 'ha-paused-leader');
      expect(await startsOf('ha-paused-leader')).toBe(2);
    } finally {
      leader.process.child.kill('SIGCONT');
    }
    // The paused leader wakes with a stale history in which the FAILED task was never restarted; it rejoins the group
    // (and may even lead again, once it has read the log).
    await waitFor('the paused leader to rejoin', async () => ((await generationOf(leader)) > pausedIn ? true : undefined), WAIT_MS);
    await untilOneLeader(alive());
    await afterPolls(alive(), 5);
    expect(await restartsSent(leader, 'ha-paused-leader')).toBe(0);
    expect(await startsOf('ha-paused-leader')).toBe(2);
    expect(await exhausted(leader, 'ha-paused-leader')).toBe(1);
  });

  it('a leader fenced by a newer producer of the transactional id sends nothing it could not record; the group then settles a new lead', async () => {
    const leader = await untilOneLeader(alive());
    // What a new leader's takeover does first: take the transactional id, which bumps its epoch.
    const newer = new Producer({ clientId: 'newer-leader', bootstrapBrokers: [kafka.broker.bootstrap], idempotent: true, transactionalId: 'sentinel-ha.leader', producerId: -1n, producerEpoch: -1 });
    try {
      const transaction = await newer.beginTransaction();
      await transaction.send({ messages: [{ topic: 'sentinel-ha-history', key: Buffer.from('fence'), value: Buffer.from('{}') }] });
      await transaction.commit();
      const fencedAt = Date.now();
      await failingConnector('ha-fenced');
      // Its write-ahead record is refused, so the restart it decided is not sent.
      await leader.process.waitForLine(loggedSince(fencedAt, /^This replica no longer leads: another replica took the lead \(this one was fenced\)/));
      await leader.process.waitForLine(loggedSince(fencedAt, /not sending the restarts it decided/));
      // The fenced replica rejoins; the group's leader takes the lead anew and spends the rule's one restart, once.
      await untilExhaustedEverywhere(alive(), 'ha-fenced');
      await afterPolls(alive(), 5);
      expect(await startsOf('ha-fenced')).toBe(2);
      let sent = 0;
      for (const replica of alive()) sent += await restartsSent(replica, 'ha-fenced');
      expect(sent).toBe(1);
      await untilOneLeader(alive());
    } finally {
      await newer.close();
    }
  });

  it('reaches Kafka over SASL/PLAIN with the password from a file, and refuses to start with a wrong one, saying why', async () => {
    const sasl = (passwordFile: string) => ({ mechanism: 'PLAIN', username: BROKER_SASL_USER.username, passwordFile });
    const ha = { bootstrapServers: [kafka.broker.saslBootstrap], group: 'sentinel-ha-sasl', topic: 'sentinel-ha-sasl-history' };
    await writeFile(join(dir, 'kafka-password'), `${BROKER_SASL_USER.password}\n`);
    await writeFile(join(dir, 'wrong-kafka-password'), 'not-the-password\n');

    const wrong = spawnSentinel([`--config.file=${await writeReplicaConfig('sasl-wrong', `127.0.0.1:${await freePort()}`, { ...ha, sasl: sasl(join(dir, 'wrong-kafka-password')) })}`]);
    expect(await wrong.exited).toBe(1);
    const fatal = wrong.lines.find((line) => line['level'] === 'fatal');
    expect(JSON.stringify(fatal)).toMatch(/CS_ERR_HA/);
    expect(JSON.stringify(fatal)).toContain("(SASL_AUTHENTICATION_FAILED)");
    expect(wrong.stdout()).not.toContain('not-the-password');

    const address = `127.0.0.1:${await freePort()}`;
    const process = spawnSentinel([`--config.file=${await writeReplicaConfig('sasl', address, { ...ha, sasl: sasl(join(dir, 'kafka-password')) })}`]);
    const replica = { name: 'sasl', address, process };
    replicas.push(replica);
    await process.waitForLine('connect-sentinel started');
    // Alone in its group, it leads.
    expect(await untilOneLeader([replica])).toBe(replica);
    expect(process.stdout()).not.toContain(BROKER_SASL_USER.password);
  });
});
