// The landing page in a real browser: headless Chromium (Debian's, installed by tools/test.sh) loads `/` from
// the running service on loopback, and every link on it opens in the browser to what it promises.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { ConnectorSpec } from '../../packages/simulator/src/index.ts';
import { cleanup, configText, simulator, startService } from '../service/harness.ts';
import { tool } from '../support/tools.ts';

afterEach(cleanup);

const FLEET: ConnectorSpec[] = [
  { name: 'orders-sink', connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector', tasks: [{}, { state: 'FAILED', failure: 'jdbc-sink-batch' }] },
];

/** The DOM of `url` after Chromium loaded it. Flags as this machine needs them: no sandbox as root, no network noise. */
async function browse(url: string): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'connect-sentinel-chromium-'));
  try {
    return await new Promise<string>((resolve, reject) => {
      const child = spawn(tool('chromium'), [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        '--dump-dom',
        url,
      ]);
      let dom = '';
      let errors = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (dom += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(dom);
        else reject(new Error(`chromium exited ${code}:\n${errors}`));
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

it('the landing page renders in Chromium and each of its links opens what it names', async () => {
  const sim = await simulator({ connectors: FLEET });
  const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
  await service.app.pollAll();
  await service.app.server.listen({ host: '127.0.0.1', port: 0 });
  const address = service.app.server.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  const base = `http://127.0.0.1:${address.port}`;

  const landing = await browse(`${base}/`);
  expect(landing).toContain('<title>connect-sentinel</title>');
  expect(landing).toMatch(/<h1>connect-sentinel<\/h1>/);
  const links = [...landing.matchAll(/<a href="([^"]+)">/g)].map((match) => match[1]!);
  expect(links).toEqual(['/metrics', '/api/v1/status', '/api/v1/restarts', '/-/healthy', '/-/ready']);

  // What each link shows once the browser has followed it.
  const expected: Record<string, string> = {
    '/metrics': 'kafka_connect_task_state{connect_cluster="prod",connector="orders-sink",task="1",state="failed"} 1',
    '/api/v1/status': '"name":"orders-sink"',
    '/api/v1/restarts': '"targets":',
    '/-/healthy': 'connect-sentinel is healthy.',
    '/-/ready': 'connect-sentinel is ready.',
  };
  for (const link of links) expect(await browse(new URL(link, base).href), link).toContain(expected[link]);
}, 120_000);
