// REFERENCE ONLY, NOT connect-sentinel: the request pattern of the peer exporters (docs: shared research, peers.md),
// written here so the benchmark can count and time it side by side with connect-sentinel's single request.
// Every poll lists the connector names (`GET /connectors`), then asks for each connector's status
// (`GET /connectors/{name}/status`): N+1 requests. It is given a keep-alive pool and `concurrency` requests in
// flight, which is kinder than most peers (several poll one connector after another).

import { Agent } from 'undici';
import { forEachLimited } from '../../src/connect/concurrency.ts';
import { decodeConnectorStatus } from '../../src/connect/decode.ts';
import type { ConnectorStatus } from '../../src/domain/model.ts';

export interface NPlusOnePoller {
  poll(): Promise<ConnectorStatus[]>;
  close(): Promise<void>;
}

export function nPlusOnePoller(workerUrl: string, concurrency: number): NPlusOnePoller {
  const agent = new Agent({ connections: concurrency });
  const getJson = async (path: string): Promise<unknown> => {
    const response = await agent.request({ origin: workerUrl, path, method: 'GET', headers: { accept: 'application/json' } });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`GET ${path} answered ${response.statusCode}`);
    return JSON.parse(text);
  };
  return {
    async poll() {
      const names = (await getJson('/connectors')) as string[];
      const statuses: ConnectorStatus[] = [];
      await forEachLimited(names, concurrency, async (name) => {
        statuses.push(decodeConnectorStatus(await getJson(`/connectors/${encodeURIComponent(name)}/status`), { name }));
      });
      return statuses;
    },
    close: () => agent.close(),
  };
}
