// connect-sentinel's trace parser on the simulator's Java traces: every failure preset of every Kafka version, and a
// whole generated fleet, parse into the classes the simulator meant.

import { describe, expect, it } from 'vitest';
import { parseTrace } from '../../src/connect/trace.ts';
import { FAILURE_KINDS, failureSpec, generateFleet, javaTrace, kafkaProfile, SimCluster } from '../../packages/simulator/src/index.ts';

describe("the simulator's traces, as connect-sentinel parses them", () => {
  it.each(FAILURE_KINDS)('%s parses into its top-level and root-cause classes', (kind) => {
    for (const profile of [kafkaProfile('2.2.2'), kafkaProfile('3.9.0'), kafkaProfile('4.1.0')]) {
      const spec = failureSpec(kind, profile);
      const root = spec.causes?.at(-1)?.exception ?? spec.exception;
      expect(parseTrace(javaTrace(spec, 'sink-task', profile))).toEqual({ exception: spec.exception, rootCause: root });
    }
  });

  it("reads a generated fleet's failed tasks into several root causes", () => {
    const fleet = generateFleet({ connectors: 200, tasksPerConnector: 2, failedShare: 0.5, seed: 3 });
    const cluster = new SimCluster(kafkaProfile('3.7.1'), fleet.workers);
    cluster.load(fleet.connectors);
    const rootCauses = new Set<string>();
    for (const name of cluster.names()) {
      for (const task of cluster.get(name)!.tasks) if (task.trace !== undefined) rootCauses.add(parseTrace(task.trace).rootCause);
    }
    expect(rootCauses.size).toBeGreaterThan(3);
  });
});
