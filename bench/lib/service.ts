// connect-sentinel as it runs in production (openService: real config, history store, Connect client, pollers,
// renderer, fastify), in this process, with polls driven by the benchmark instead of timers.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, AppDeps } from '../../src/app.ts';
import { parseConfigText } from '../../src/config/load.ts';
import { openService } from '../../src/service.ts';

export interface BenchServiceOptions {
  /** Base URL of each cluster's worker; the clusters are named `cluster-000`, `cluster-001` … */
  urls: readonly string[];
  dropZeroStates?: boolean;
  /** Wraps the real Connect client (to gate or bound polls). */
  createClient?: AppDeps['createClient'];
}

export interface BenchService {
  app: App;
  /** `http://127.0.0.1:PORT` of the service's own HTTP server. */
  url: string;
  close(): Promise<void>;
}

export function clusterName(index: number): string {
  return `cluster-${String(index).padStart(3, '0')}`;
}

export async function startBenchService(options: BenchServiceOptions): Promise<BenchService> {
  const dir = await mkdtemp(join(tmpdir(), 'sentinel-bench-'));
  const config = {
    web: { listenAddress: '127.0.0.1:0' },
    metrics: { dropZeroStates: options.dropZeroStates ?? false },
    log: { level: 'warn' },
    // Polls are driven by the benchmark (app.pollAll); the interval only bounds the request timeout.
    clusters: options.urls.map((url, index) => ({ name: clusterName(index), url, pollInterval: '1h', timeout: '2m' })),
  };
  const service = await openService({
    // YAML is a superset of JSON.
    load: () => parseConfigText(JSON.stringify(config), { source: 'bench', baseDir: dir, env: {}, overrides: { dataDir: join(dir, 'data') } }),
    version: 'bench',
    logDestination: { write: () => {} },
    ...(options.createClient === undefined ? {} : { createClient: options.createClient }),
  });
  const { app } = service;
  const address = await app.server.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    url: address,
    close: async () => {
      await service.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
