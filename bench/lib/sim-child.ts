// The simulated Kafka Connect clusters of a benchmark, in their own process: their JSON rendering runs on another
// core, and their memory stays out of the RSS of the process being measured. Driven over IPC by sim-host.ts.

import { churn, generateFleet, startSimulator, type Simulator } from '../../packages/simulator/src/index.ts';
import { classifyRequest, emptyRequestCounts, type HostMessage, type ChildMessage, type RequestCounts, type SimulatedCluster } from './sim-protocol.ts';

const specs = JSON.parse(process.argv[2] ?? '[]') as SimulatedCluster[];
const simulators: Simulator[] = [];

function send(message: ChildMessage): void {
  process.send?.(message);
}

function countRequests(sim: Simulator): RequestCounts {
  const counts = emptyRequestCounts();
  for (const request of sim.requests.entries) counts[classifyRequest(request.method, request.path, request.query)] += 1;
  return counts;
}

function handle(message: HostMessage): unknown {
  const sim = simulators[message.cluster];
  if (sim === undefined) throw new Error(`no simulated cluster ${message.cluster}`);
  switch (message.op) {
    case 'churn':
      return churn(sim.cluster, message.seed, message.operations === undefined ? {} : { operations: message.operations });
    case 'requests': {
      const counts = countRequests(sim);
      if (message.reset) sim.requests.reset();
      return counts;
    }
    case 'size': {
      let tasks = 0;
      for (const name of sim.cluster.names()) tasks += sim.cluster.record(name)?.tasks.size ?? 0;
      return { connectors: sim.cluster.size, tasks };
    }
  }
}

process.on('message', (message: HostMessage) => {
  try {
    send({ id: message.id, ok: true, result: handle(message) });
  } catch (err) {
    send({ id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
// The host closing the IPC channel (or dying) ends the simulators.
process.on('disconnect', () => {
  void Promise.all(simulators.map((sim) => sim.close())).finally(() => process.exit(0));
});

for (const spec of specs) {
  simulators.push(
    await startSimulator({
      version: spec.version,
      fleet: generateFleet({
        connectors: spec.connectors,
        tasksPerConnector: spec.tasksPerConnector,
        failedShare: spec.failedShare,
        workers: spec.workers,
        seed: spec.seed,
      }),
      restartMode: 'manual',
      // Counting is per measured phase and reset in between; the log only has to hold one phase.
      requestLogLimit: 1_000_000,
    }),
  );
}
send({ id: 0, ok: true, result: simulators.map((sim) => sim.url) });
