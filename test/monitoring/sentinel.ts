// connect-sentinel itself, in-process but on real time and a real loopback port, for Prometheus to scrape: the same
// wiring as src/main.ts (config store, history store, buildApp, listen, start) without signals or exit codes.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../../src/app.ts';
import { parseConfigText } from '../../src/config/load.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { createLogger } from '../../src/logger.ts';
import { openHistoryStore } from '../../src/restart/store.ts';

export interface LiveSentinel {
  app: App;
  /** host:port of /metrics. */
  address: string;
  close(): Promise<void>;
}

/** Starts connect-sentinel with `config` (an object written as the YAML config file would be). */
export async function startLiveSentinel(config: Record<string, unknown>): Promise<LiveSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'monitoring-sentinel-'));
  const text = JSON.stringify({ web: { listenAddress: '127.0.0.1:0' }, log: { level: 'error' }, ...config });
  const load = () => parseConfigText(text, { source: 'sentinel.yaml', baseDir: dir, env: {}, overrides: { dataDir: join(dir, 'data') } });
  const store = await ConfigStore.open({ load, now: Date.now, onListenerError: () => {} });
  const logger = createLogger(store.current().log.level);
  const history = await openHistoryStore({ dataDir: store.current().dataDir, logger });
  const app = await buildApp({ config: store, history, logger, version: 'e2e' });
  try {
    const url = new URL(await app.server.listen({ host: '127.0.0.1', port: 0 }));
    app.start();
    return {
      app,
      address: url.host,
      close: async () => {
        await app.close();
        await history.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await app.close();
    await history.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
