// Entry point of the memory benchmark's own process (see memory.ts).

import { serveIsolated } from '../lib/isolated.ts';
import type { SimulatedCluster } from '../lib/sim-protocol.ts';
import { memoryInThisProcess, type MemoryOptions } from './memory.ts';

await serveIsolated<{ cluster: SimulatedCluster; options: MemoryOptions }>(({ cluster, options }) =>
  memoryInThisProcess(cluster, options),
);
