// /metrics served from the exposition's list of buffers (no copy per scrape): the bytes on the wire are the per-poll part
// followed by the self-metrics, in both formats, plain and gzip, with a Content-Length that matches; HEAD too.

import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RestartControl } from '../../src/http/server.ts';
import { Exposition } from '../../src/metrics/exposition.ts';
import { renderClusterReusing } from '../../src/metrics/render.ts';
import { createSelfMetrics } from '../../src/metrics/self.ts';
import { OPENMETRICS_EOF } from '../../src/metrics/exposition-text.ts';
import { connector, task, view } from '../metrics/views.ts';
import { gzipBody, plainBody } from '../metrics/bodies.ts';

const FORMATS = [
  { format: 'prometheus', accept: 'text/plain' },
  { format: 'openmetrics', accept: 'application/openmetrics-text;version=1.0.0' },
] as const;

/** Enough connectors for a body larger than a socket's buffers, and than a slab of the exposition. */
function fleet(cluster: string, size: number) {
  return view(
    cluster,
    Array.from({ length: size }, (_, index) =>
      connector(`${cluster}-connector-${index}`, index % 13 === 0 ? 'failed' : 'running', [task(0, 'running'), task(1, index % 7 === 0 ? 'failed' : 'running')]),
    ),
  );
}

const self = createSelfMetrics({ processMetrics: false, version: '1.2.3', nodejsVersion: '24.9.0' });
const exposition = new Exposition(self);
/** The same clusters with no self-metrics: its body is the per-poll part alone. */
const pollPartOnly = new Exposition({ text: async () => '' });
const unused = async (): Promise<never> => {
  throw new Error('not used by /metrics');
};
const restarts: RestartControl = { list: () => [], restartNow: unused, resetBudget: unused, silence: unused, unsilence: unused };
const server = buildServer({
  logger: pino({ level: 'silent' }),
  version: '1.2.3',
  exposition,
  views: () => [],
  restarts,
  ready: () => true,
  reload: async () => {},
  security: () => ({ credentials: {} }),
  parseDuration: () => 0,
  now: () => 1_700_000_000_000,
  maxRequestBodyBytes: 1024,
});
const agent = new Agent();
let origin = '';

beforeAll(async () => {
  for (const [cluster, size] of [['prod', 3_000], ['staging', 40]] as const) {
    for (const target of [exposition, pollPartOnly]) {
      target.setCluster(renderClusterReusing(fleet(cluster, size), undefined, { dropZeroStates: false }, target.lastRender(cluster)));
    }
  }
  origin = await server.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await agent.close();
  await server.close();
});

async function scrape(accept: string, gzip: boolean) {
  const response = await agent.request({
    origin,
    path: '/metrics',
    method: 'GET',
    headers: { accept, ...(gzip ? { 'accept-encoding': 'gzip' } : {}) },
  });
  return { status: response.statusCode, headers: response.headers, body: Buffer.from(await response.body.arrayBuffer()) };
}

async function expectedText(format: 'prometheus' | 'openmetrics'): Promise<string> {
  const part = (await plainBody(pollPartOnly, format)).body.toString('utf8');
  // The per-poll part, then the self-metrics, then (OpenMetrics) the one EOF marker.
  const pollLines = format === 'openmetrics' ? part.slice(0, -OPENMETRICS_EOF.length) : part;
  return pollLines + (await self.text(format)) + (format === 'openmetrics' ? OPENMETRICS_EOF : '');
}

describe('/metrics from the list of buffers', () => {
  it('joins the per-poll part once per change: scrapes share its Buffer, and only the self-metrics are new', async () => {
    const first = await exposition.renderChunks('prometheus');
    const second = await exposition.renderChunks('prometheus');
    expect(first.chunks).toHaveLength(2);
    expect(second.chunks[0]).toBe(first.chunks[0]);
    expect(second.chunks[1]).not.toBe(first.chunks[1]);
    expect(first.chunks.reduce((sum, chunk) => sum + chunk.length, 0)).toBe(first.length);
  });

  for (const { format, accept } of FORMATS) {
    it(`serves the per-poll part and the self-metrics, ${format}, with a matching content-length`, async () => {
      const { status, headers, body } = await scrape(accept, false);
      expect(status).toBe(200);
      expect(headers['content-encoding']).toBeUndefined();
      expect(String(headers['content-type'])).toBe((await plainBody(exposition, format)).contentType);
      expect(Number(headers['content-length'])).toBe(body.length);
      expect(body.length).toBeGreaterThan(1_000_000);
      expect(body.toString('utf8')).toBe(await expectedText(format));
    });

    it(`serves the same body gzip-compressed, ${format}, with a matching content-length`, async () => {
      const { status, headers, body } = await scrape(accept, true);
      expect(status).toBe(200);
      expect(headers['content-encoding']).toBe('gzip');
      expect(headers.vary).toBe('Accept, Accept-Encoding');
      expect(Number(headers['content-length'])).toBe(body.length);
      expect(body.equals((await gzipBody(exposition, format)).body)).toBe(true);
      expect(gunzipSync(body).toString('utf8')).toBe(await expectedText(format));
    });

    it(`answers HEAD with the content-length of the body and no body, ${format}`, async () => {
      for (const gzip of [false, true]) {
        const get = await scrape(accept, gzip);
        const head = await server.inject({
          method: 'HEAD',
          url: '/metrics',
          headers: { accept, ...(gzip ? { 'accept-encoding': 'gzip' } : {}) },
        });
        expect(head.statusCode).toBe(200);
        expect(head.rawPayload.length).toBe(0);
        expect(Number(head.headers['content-length'])).toBe(get.body.length);
        expect(head.headers['content-encoding']).toBe(gzip ? 'gzip' : undefined);
      }
    });
  }
});
