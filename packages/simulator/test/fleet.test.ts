import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster.ts';
import { churn, generateFleet, startSimulator, type Simulator } from '../src/index.ts';
import { kafkaProfile } from '../src/version.ts';
import { get, json } from './http.ts';

describe('generateFleet', () => {
  it('is the same for the same seed and differs for another', () => {
    const options = { connectors: 50, tasksPerConnector: 3, failedShare: 0.1, workers: 4, seed: 42 };
    expect(generateFleet(options)).toEqual(generateFleet(options));
    expect(generateFleet({ ...options, seed: 43 }).connectors.map((c) => c.name)).not.toEqual(
      generateFleet(options).connectors.map((c) => c.name),
    );
  });

  it('builds the benchmark fleet: 10,000 connectors, 50,000 tasks, exactly the failed share', () => {
    const fleet = generateFleet({ connectors: 10_000, tasksPerConnector: 5, failedShare: 0.01, workers: 12, seed: 1 });
    const cluster = new SimCluster(kafkaProfile('3.9.0'), fleet.workers);
    cluster.load(fleet.connectors);
    expect(cluster.size).toBe(10_000);
    let tasks = 0;
    let failed = 0;
    const workers = new Set<string>();
    for (const name of cluster.names()) {
      const record = cluster.record(name)!;
      tasks += record.tasks.size;
      for (const task of record.tasks.values()) {
        workers.add(task.workerId);
        if (task.state === 'FAILED') {
          failed++;
          expect(task.trace!.endsWith('\n')).toBe(true);
        }
      }
    }
    expect(tasks).toBe(50_000);
    expect(failed).toBe(500);
    expect(workers).toEqual(new Set(fleet.workers));
    expect(fleet.workers[0]).toBe('connect-1:8083');
  });

  it('gives failed tasks traces of their plugin, and never a configured secret', () => {
    const fleet = generateFleet({ connectors: 200, tasksPerConnector: 2, failedShare: 0.5, seed: 3 });
    const cluster = new SimCluster(kafkaProfile('3.7.1'), fleet.workers);
    cluster.load(fleet.connectors);
    const secrets = cluster.secrets();
    expect(secrets.length).toBeGreaterThan(50);
    const rootCauses = new Set<string>();
    for (const name of cluster.names()) {
      for (const task of cluster.get(name)!.tasks) {
        if (task.trace === undefined) continue;
        rootCauses.add([...task.trace.matchAll(/^Caused by: ([\w.$]+)/gm)].at(-1)?.[1] ?? task.trace.split(/[:\n]/, 1)[0]!);
        for (const secret of secrets) expect(task.trace).not.toContain(secret);
      }
    }
    expect(rootCauses.size).toBeGreaterThan(3);
  });
});

describe('churn', () => {
  it('changes the fleet the same way for the same seed', () => {
    const build = () => {
      const fleet = generateFleet({ connectors: 300, tasksPerConnector: 2, failedShare: 0.2, seed: 9 });
      const cluster = new SimCluster(kafkaProfile('3.9.0'), fleet.workers);
      cluster.load(fleet.connectors);
      return cluster;
    };
    const first = build();
    const second = build();
    const summary = churn(first, 5, { operations: 200 });
    expect(churn(second, 5, { operations: 200 })).toEqual(summary);
    expect(first.names()).toEqual(second.names());
    expect(summary.created + summary.deleted + summary.failed + summary.recovered + summary.moved).toBeGreaterThan(100);
    expect(summary.created).toBeGreaterThan(0);
    expect(summary.deleted).toBeGreaterThan(0);
    expect(first.size).toBe(300 + summary.created - summary.deleted);
  });

  it('defaults to about 1% of the fleet per step', () => {
    const fleet = generateFleet({ connectors: 1000, seed: 2 });
    const cluster = new SimCluster(kafkaProfile('3.9.0'), fleet.workers);
    cluster.load(fleet.connectors);
    const summary = churn(cluster, 1);
    const changes = summary.created + summary.deleted + summary.failed + summary.recovered + summary.moved;
    expect(changes).toBeLessThanOrEqual(10);
    expect(changes).toBeGreaterThan(0);
  });
});

describe('a 10,000-connector simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ fleet: generateFleet({ connectors: 10_000, tasksPerConnector: 5, failedShare: 0.01, seed: 1 }) });
  });
  afterAll(() => sim.close());

  it('serves the whole expanded listing in one response, and again after a change', async () => {
    const first = json(await get(sim, '/connectors?expand=status&expand=info')) as Record<string, { status: { tasks: unknown[] } }>;
    expect(Object.keys(first)).toHaveLength(10_000);
    const name = sim.cluster.names()[17]!;
    sim.cluster.failTask(name, 0, 'timeout');
    const second = json(await get(sim, '/connectors?expand=status&expand=info')) as Record<string, { status: { tasks: Array<{ state: string; trace?: string }> } }>;
    expect(second[name]!.status.tasks[0]).toMatchObject({ state: 'FAILED', trace: expect.stringContaining('TimeoutException') });
  });
});
