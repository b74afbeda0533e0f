// A render that throws (issue #16 saw "Invalid string length" from a 1 MiB name before label values were bounded):
// the cluster then shows up 0 with the reason `internal`, its last series kept and never shown as fresh, and it
// comes back at the first poll rendered whole. The renderer is made to fail here, since no input makes it fail now.

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectorSpec } from '../../packages/simulator/src/index.ts';
import { cleanup, configText, currentState, simulator, startService, valueOf } from './harness.ts';

const failing = vi.hoisted(() => ({ render: false }));

vi.mock('../../src/metrics/render.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/metrics/render.ts')>();
  return {
    ...original,
    renderConnectorSteps: (...args: Parameters<typeof original.renderConnectorSteps>) => {
      if (failing.render) throw new RangeError('Invalid string length');
      return original.renderConnectorSteps(...args);
    },
  };
});

afterEach(async () => {
  failing.render = false;
  await cleanup();
});

const FLEET: ConnectorSpec[] = [{ name: 'orders', connectorClass: 'io.example.Source', tasks: 2 }];

describe('a render that fails', () => {
  it('shows the cluster up 0 with the reason internal and its last series, until a poll renders whole', async () => {
    const sim = await simulator({ version: '3.9.0', connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    const before = (await service.scrape()).samples;
    expect(valueOf(before, 'kafka_connect_up', { connect_cluster: 'prod' })).toBe(1);

    sim.cluster.setTaskState('orders', 0, 'FAILED');
    failing.render = true;
    service.clock.advance(60_000);
    await service.app.pollAll();
    const during = (await service.scrape()).samples;
    expect(valueOf(during, 'kafka_connect_up', { connect_cluster: 'prod' })).toBe(0);
    expect(valueOf(during, 'kafka_connect_exporter_poll_errors_total', { connect_cluster: 'prod', reason: 'internal' })).toBe(1);
    // The last series stay, with the time of the last poll handled whole: stale, and visibly so.
    expect(currentState(during, 'kafka_connect_task_state', { connect_cluster: 'prod', connector: 'orders', task: '0' })).toBe('running');
    expect(valueOf(during, 'kafka_connect_last_poll_success_timestamp_seconds', { connect_cluster: 'prod' })).toBe(
      valueOf(before, 'kafka_connect_last_poll_success_timestamp_seconds', { connect_cluster: 'prod' }),
    );
    expect(service.logs.text()).toContain('Invalid string length');

    failing.render = false;
    await service.app.pollAll();
    const after = (await service.scrape()).samples;
    expect(valueOf(after, 'kafka_connect_up', { connect_cluster: 'prod' })).toBe(1);
    expect(currentState(after, 'kafka_connect_task_state', { connect_cluster: 'prod', connector: 'orders', task: '0' })).toBe('failed');
  });
});
