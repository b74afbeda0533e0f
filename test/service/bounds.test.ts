// Times and durations that come in are bounded where they enter, and a failure inside one cluster's round never
// freezes that cluster as fresh nor touches another cluster.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectClient, type ConnectClient } from '../../src/connect/client.ts';
import type { ConnectorStatus } from '../../src/domain/model.ts';
import type { ConnectorSpec, Simulator } from '../../packages/simulator/src/index.ts';
import { cleanup, configText, requestLines, simulator, startService, tempDir, valueOf, type Service } from './harness.ts';

afterEach(cleanup);

const TOKEN = 'operator-token-bounds';
const auth = { authorization: `Bearer ${TOKEN}` };
const JDBC_SOURCE = 'io.confluent.connect.jdbc.JdbcSourceConnector';
const FLEET: ConnectorSpec[] = [
  { name: 'flappy', connectorClass: JDBC_SOURCE, tasks: [{ state: 'FAILED', failure: 'connection-refused', restart: { permanent: true } }] },
];
const RESTART = { enabled: true, defaults: { backoff: { initial: '1m', jitter: 0 } } };

async function serviceOn(sims: Simulator[], options: { dir?: string; createClient?: (o: Parameters<typeof createConnectClient>[0]) => ConnectClient } = {}): Promise<Service> {
  const dir = options.dir ?? (await tempDir());
  await writeFile(join(dir, 'api-token'), `${TOKEN}\n`);
  const clusters = sims.map((sim, index) => ({ name: index === 0 ? 'prod' : `other-${index}`, url: sim.url }));
  return startService({
    dir,
    config: configText({ clusters, restart: RESTART, api: { tokenFile: 'api-token' } }),
    ...(options.createClient ? { createClient: options.createClient } : {}),
  });
}

const posts = (sim: Simulator) => requestLines(sim).filter((line) => line.startsWith('POST'));

describe('bounded times', () => {
  it('a silence longer than 10 years is refused with a 400 that names the limit, and nothing is stored', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await serviceOn([sim]);
    await service.app.pollAll();
    const answer = await service.inject({
      method: 'POST',
      url: '/api/v1/silences',
      headers: auth,
      payload: { cluster: 'prod', connector: 'flappy', duration: '280000y' },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toEqual({ error: 'CS_ERR_API_BAD_REQUEST', message: 'body.duration: invalid duration "280000y": too long (at most 10y)' });

    const listing = await service.inject({ url: '/api/v1/restarts' });
    expect(listing.statusCode).toBe(200);
    expect((listing.json() as { silences: unknown[] }).silences).toEqual([]);
    sim.settle();
    service.clock.advance(2 * 60_000);
    await service.app.pollAll();
    expect(posts(sim)).toHaveLength(2);
    expect(valueOf((await service.scrape()).samples, 'kafka_connect_up', { connect_cluster: 'prod' })).toBe(1);
  });

  it('a history file with a far-future time is moved aside at start: the cluster is watched and restarted as usual', async () => {
    const sim = await simulator({ connectors: FLEET });
    const dir = await tempDir();
    await mkdir(join(dir, 'data'));
    const farFuture = {
      format: 'connect-sentinel/restart-history',
      version: 1,
      savedAt: '2026-03-02T10:00:00.000Z',
      clusters: [{ cluster: 'prod', restarts: [], silences: [{ connector: 'flappy', since: 0, until: 8.83e15, reason: null }], targets: [] }],
    };
    await writeFile(join(dir, 'data', 'history.json'), JSON.stringify(farFuture));
    const service = await serviceOn([sim], { dir });
    expect(service.logs.text()).toContain('clusters.0.silences.0.until time out of range (after 9999-12-31)');
    await service.app.pollAll();
    expect(posts(sim)).toHaveLength(1);
    expect(valueOf((await service.scrape()).samples, 'kafka_connect_up', { connect_cluster: 'prod' })).toBe(1);
    expect((await service.inject({ url: '/api/v1/restarts' })).statusCode).toBe(200);
  });
});

describe('a failure inside one cluster round', () => {
  it('shows that cluster down with the reason "internal", and leaves every other cluster alone', async () => {
    const prod = await simulator({ connectors: FLEET });
    const other = await simulator({ connectors: FLEET });
    const service = await serviceOn([prod, other], {
      // prod's worker answers a restart with a plan that has no tasks list: handling it throws inside the round.
      createClient: (options): ConnectClient => {
        const client = createConnectClient(options);
        return {
          cluster: client.cluster,
          pollStatus: (signal) => client.pollStatus(signal),
          getWorkerInfo: (signal) => client.getWorkerInfo(signal),
          getPlugins: (signal) => client.getPlugins(signal),
          getHealth: (signal) => client.getHealth(signal),
          restartConnector:
            options.cluster === 'prod'
              ? async () => ({ kind: 'planned', plan: { name: 'flappy' } as unknown as ConnectorStatus })
              : (connector, flags, signal) => client.restartConnector(connector, flags, signal),
          restartTask: (connector, task, signal) => client.restartTask(connector, task, signal),
          close: () => client.close(),
        };
      },
    });
    await service.app.pollAll();
    const { samples } = await service.scrape();
    expect(valueOf(samples, 'kafka_connect_up', { connect_cluster: 'prod' })).toBe(0);
    expect(valueOf(samples, 'kafka_connect_exporter_poll_errors_total', { connect_cluster: 'prod', reason: 'internal' })).toBe(1);
    expect(valueOf(samples, 'kafka_connect_up', { connect_cluster: 'other-1' })).toBe(1);
    expect(valueOf(samples, 'kafka_connect_autorestart_restarts_total', { connect_cluster: 'other-1', connector: 'flappy', task: '0' })).toBe(1);
    expect(posts(other)).toHaveLength(1);
    const errors = service.logs.lines().filter((line) => line['level'] === 'error');
    expect(errors.map((line) => [line['connect_cluster'], line['msg']])).toEqual([
      ['prod', 'Handling this poll failed; the cluster shows up 0 until a poll is handled whole'],
    ]);
  });
});
