// `--demo`: two simulated Kafka Connect clusters and a config that watches them with auto-restart on, so anyone sees
// real-looking metrics, failures and restarts within seconds, without Kafka.

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText, type ConfigOverrides, type LoadedConfig } from './config/load.ts';
import { generateFleet, startSimulator, type Simulator } from '../packages/simulator/src/index.ts';

export interface Demo {
  load(): Promise<LoadedConfig>;
  /** Log fields telling the user where to look. */
  banner(port: number): Record<string, string>;
  close(): Promise<void>;
}

/** Quick enough to watch: restarts after seconds, a budget that runs out within minutes. */
function demoConfig(primary: Simulator, legacy: Simulator, dataDir: string): string {
  return `
clusters:
  - name: charmed-prod
    url: ${primary.url}
    basicAuth: { username: admin, password: "\${DEMO_CONNECT_PASSWORD}" }
    pollInterval: 5s
    timeout: 4s
  - name: legacy-2-2
    url: ${legacy.url}
    pollInterval: 10s
    timeout: 5s
dataDir: ${JSON.stringify(dataDir)}
restart:
  enabled: true
  defaults:
    backoff: { initial: 15s, multiplier: 2, max: 2m }
    budget: { maxRestarts: 4, window: 30m }
  recovery: { healthyPolls: 2, resetAfter: 5m }
`;
}

export async function startDemo(overrides: ConfigOverrides): Promise<Demo> {
  const password = randomBytes(12).toString('base64url');
  const primary = await startSimulator({
    version: '3.9.0',
    basicAuth: { username: 'admin', password },
    scenario: 'demo',
    restartMode: 'auto',
    restartDelayMs: 3000,
    scenarioIntervalMs: 45_000,
  });
  const legacy = await startSimulator({ version: '2.2.2', fleet: generateFleet({ connectors: 12, tasksPerConnector: 2, seed: 7 }) });
  const scratch = await mkdtemp(join(tmpdir(), 'connect-sentinel-demo-'));
  const text = demoConfig(primary, legacy, overrides.dataDir ?? join(scratch, 'data'));

  return {
    load: () =>
      parseConfigText(text, {
        source: 'demo config',
        baseDir: scratch,
        env: { DEMO_CONNECT_PASSWORD: password },
        overrides: { ...overrides, dataDir: overrides.dataDir ?? join(scratch, 'data') },
      }),
    banner: (port) => ({
      metrics: `http://localhost:${port}/metrics`,
      status: `http://localhost:${port}/api/v1/status`,
      restarts: `http://localhost:${port}/api/v1/restarts`,
      simulated_kafka_3_9: primary.url,
      simulated_kafka_2_2: legacy.url,
    }),
    close: async () => {
      await Promise.all([primary.close(), legacy.close()]);
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
