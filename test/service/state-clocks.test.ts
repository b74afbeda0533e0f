// "In this state since" is a clock connect-sentinel keeps, and a restart of connect-sentinel does
// not restart it. The whole service against the simulator, with a manual clock.

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, configText, MINUTE, simulator, startService, T0, valueOf } from './harness.ts';

afterEach(cleanup);

describe('state clocks', () => {
  it('survive a restart of connect-sentinel for what stayed in its state, and restart for what changed meanwhile', async () => {
    const sim = await simulator({
      connectors: [
        { name: 'stuck', connectorClass: 'x.Sink', tasks: [{ state: 'FAILED', failure: 'connection-refused' }, { state: 'RUNNING' }] },
        { name: 'other', connectorClass: 'x.Sink', tasks: 1 },
      ],
    });
    const config = configText({ clusters: [{ name: 'prod', url: sim.url }] });
    const since = async (service: Awaited<ReturnType<typeof startService>>, connector: string, task: string | undefined, state: string) =>
      valueOf((await service.scrape()).samples, task === undefined ? 'kafka_connect_connector_state_since_timestamp_seconds' : 'kafka_connect_task_state_since_timestamp_seconds', {
        connect_cluster: 'prod',
        connector,
        ...(task === undefined ? {} : { task }),
        state,
      });

    const first = await startService({ config });
    await first.app.pollAll();
    expect(await since(first, 'stuck', '0', 'failed')).toBe(T0 / 1000);
    first.clock.advance(MINUTE);
    sim.cluster.failTask('other', 0);
    await first.app.pollAll();
    expect(await since(first, 'other', '0', 'failed')).toBe((T0 + MINUTE) / 1000);
    expect(await since(first, 'stuck', '0', 'failed')).toBe(T0 / 1000);
    await first.close();

    // Down for ten minutes, during which `other` recovered and `stuck`'s connector was paused.
    sim.cluster.setTaskState('other', 0, 'RUNNING');
    sim.cluster.pause('stuck');
    const second = await startService({ config, dir: first.dir, clock: first.clock });
    second.clock.advance(10 * MINUTE);
    await second.app.pollAll();
    const later = (T0 + 11 * MINUTE) / 1000;
    expect(await since(second, 'other', '0', 'running')).toBe(later);
    expect(await since(second, 'other', '0', 'failed')).toBeUndefined();
    expect(await since(second, 'other', undefined, 'running')).toBe(T0 / 1000);
    expect(await since(second, 'stuck', undefined, 'paused')).toBe(later);

    const status = JSON.parse((await second.inject({ url: '/api/v1/status?cluster=prod' })).body) as {
      clusters: Array<{ connectors: Array<{ name: string; stateSince: string; tasks: Array<{ id: number; stateSince: string }> }> }>;
    };
    const other = status.clusters[0]!.connectors.find((c) => c.name === 'other')!;
    expect(other.stateSince).toBe(new Date(T0).toISOString());
    expect(other.tasks[0]!.stateSince).toBe(new Date(T0 + 11 * MINUTE).toISOString());
  });
});
