// connect-sentinel itself, in-process but on real time and a real loopback port, for Prometheus to scrape: opened as
// run.ts opens it (openService, listen, start) without signals or exit codes.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../../src/app.ts';
import { parseConfigText } from '../../src/config/load.ts';
import { openService } from '../../src/service.ts';

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
  const service = await openService({ load, version: 'e2e' });
  const close = async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const url = new URL(await service.app.server.listen({ host: '127.0.0.1', port: 0 }));
    service.app.start();
    return { app: service.app, address: url.host, close };
  } catch (err) {
    await close();
    throw err;
  }
}
