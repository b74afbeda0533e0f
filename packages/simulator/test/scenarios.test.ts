import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/index.ts';
import { call, get, json } from './http.ts';

interface Status {
  connector: { state: string; trace?: string };
  tasks: Array<{ id: number; state: string; trace?: string }>;
}

describe('scenarios', () => {
  let sim: Simulator;
  afterEach(() => sim.close());

  async function status(name: string): Promise<Status> {
    return json(await get(sim, `/connectors/${name}/status`)) as Status;
  }

  async function restartFailed(name: string): Promise<void> {
    expect((await call(sim, 'POST', `/connectors/${name}/restart?includeTasks=true&onlyFailed=true`)).status).toBe(202);
    sim.settle();
  }

  it('demo: a retriable failure recovers, a ConfigException and a flapping task do not', async () => {
    sim = await startSimulator({ scenario: 'demo' });
    expect((await status('inventory-jdbc-source')).tasks[0]!.state).toBe('FAILED');
    await restartFailed('inventory-jdbc-source');
    expect((await status('inventory-jdbc-source')).tasks[0]!.state).toBe('RUNNING');

    const billing = await status('billing-jdbc-sink');
    expect(billing.connector.state).toBe('FAILED');
    expect(billing.connector.trace).toMatch(/^org\.apache\.kafka\.common\.config\.ConfigException/);
    expect(billing.tasks).toEqual([]);
    await restartFailed('billing-jdbc-sink');
    expect((await status('billing-jdbc-sink')).connector.state).toBe('FAILED');

    for (let attempt = 0; attempt < 3; attempt++) {
      await restartFailed('events-snowflake-sink');
      expect((await status('events-snowflake-sink')).tasks[1]!.state).toBe('FAILED');
    }

    const mirror = await status('eu-us-mm2-source');
    expect(mirror.connector.state).toBe('FAILED');
    expect(mirror.tasks.every((task) => task.state === 'RUNNING')).toBe(true);
    expect((await status('audit-es-sink')).connector.state).toBe('PAUSED');
    expect((await status('legacy-file-sink'))).toMatchObject({ connector: { state: 'STOPPED' }, tasks: [] });
  });

  it('demo: has no STOPPED connector before Kafka 3.5', async () => {
    sim = await startSimulator({ scenario: 'demo', version: '3.4.0' });
    expect((await status('legacy-file-sink')).connector.state).toBe('PAUSED');
  });

  it('demo: its steps fail healthy tasks, each recovering on its own script', async () => {
    sim = await startSimulator({ scenario: 'demo' });
    expect(sim.step()).toMatch(/^orders-es-sink task 1/);
    expect((await status('orders-es-sink')).tasks[1]!.state).toBe('FAILED');
    expect(sim.step()).toMatch(/^payments-mysql-cdc task 0/);
    await restartFailed('payments-mysql-cdc');
    expect((await status('payments-mysql-cdc')).tasks[0]!.state).toBe('FAILED');
    await restartFailed('payments-mysql-cdc');
    expect((await status('payments-mysql-cdc')).tasks[0]!.state).toBe('RUNNING');
    sim.step();
    // Round again: orders-es-sink task 1 is still FAILED, so the step leaves it alone.
    const trace = (await status('orders-es-sink')).tasks[1]!.trace;
    sim.step();
    expect((await status('orders-es-sink')).tasks[1]!.trace).toBe(trace);
  });

  it('worker-restart: walks through the startup phases', async () => {
    sim = await startSimulator({ scenario: 'worker-restart', version: '3.9.0', queuedTimeoutMs: 10, healthTimeoutMs: 10 });
    expect(sim.step()).toMatch(/refused/);
    await expect(get(sim, '/')).rejects.toThrow();
    sim.step();
    expect((await get(sim, '/connectors')).headers['content-type']).toBe('text/html;charset=iso-8859-1');
    sim.step();
    expect(json(await get(sim, '/connectors'))).toEqual([]);
    expect((await get(sim, '/health')).status).toBe(503);
    sim.step();
    expect(json(await get(sim, '/connectors'))).toHaveLength(2);
    sim.step();
    expect(json(await get(sim, '/connectors'))).toHaveLength(4);
    expect((await get(sim, '/health')).status).toBe(200);
  });

  it('slow-herder: queued requests time out while local ones answer, then all recover', async () => {
    sim = await startSimulator({ scenario: 'slow-herder', version: '3.9.0', queuedTimeoutMs: 10 });
    sim.step();
    const timedOut = json(await get(sim, '/connectors/orders-jdbc-sink/config')) as { message: string };
    expect(timedOut.message).toMatch(/^Request timed out\. The worker is currently stopping connector orders-jdbc-sink, which began at /);
    expect((await get(sim, '/connectors/orders-jdbc-sink/status')).status).toBe(200);
    sim.step();
    expect((await get(sim, '/connectors/orders-jdbc-sink/config')).status).toBe(200);
  });

  it('runs steps on a timer in auto mode', async () => {
    sim = await startSimulator({ scenario: 'slow-herder', restartMode: 'auto', scenarioIntervalMs: 1 });
    await expect.poll(() => sim.faults.herderBlocked).toBe(true);
  });

  it('settles restarts on timers in auto mode', async () => {
    sim = await startSimulator({ scenario: 'demo', restartMode: 'auto', restartDelayMs: 1 });
    await call(sim, 'POST', '/connectors/inventory-jdbc-source/restart?includeTasks=true&onlyFailed=true');
    await expect.poll(async () => (await status('inventory-jdbc-source')).tasks[0]!.state).toBe('RUNNING');
  });
});
