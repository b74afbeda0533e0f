// examples/sentinel.yaml is what users copy first: it must load, and say what its comments say.

import { readFile as readFromDisk } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/sentinel.yaml', import.meta.url));
const PEM = '-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n';

/** The example's secret and CA files, as a deployment would provide them. */
async function readFile(path: string): Promise<string> {
  if (path === EXAMPLE) return readFromDisk(path, 'utf8');
  if (path.startsWith('/run/secrets/')) return `secret-of-${path.slice('/run/secrets/'.length)}\n`;
  if (path.endsWith('.pem')) return PEM;
  throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
}

describe('examples/sentinel.yaml', () => {
  it('loads', async () => {
    const { config } = await loadConfigFile(EXAMPLE, { CONNECT_DEV_PASSWORD: 'dev' }, { readFile });
    const [prod, dev] = config.clusters;
    expect(config.clusters.map((cluster) => cluster.name)).toEqual(['prod', 'dev']);
    expect(prod?.urls).toHaveLength(3);
    expect(prod?.basicAuth?.password.reveal()).toBe('secret-of-connect-prod-admin-password');
    expect(prod?.tls?.ca).toBe(PEM);
    expect(dev?.basicAuth?.password.reveal()).toBe('dev');
    expect(config.web.bearerToken?.reveal()).toBe('secret-of-sentinel-scrape-token');
    expect(config.api.token?.reveal()).toBe('secret-of-sentinel-api-token');
    expect(config.restart).toMatchObject({ enabled: true, dryRun: true });
    expect(config.restart.rules.map((rule) => rule.name)).toEqual(['no-restart-on-bad-credentials', 'jdbc-gently']);
  });

  it('needs the dev password from the environment', async () => {
    await expect(loadConfigFile(EXAMPLE, {}, { readFile })).rejects.toThrow(
      `${EXAMPLE}: clusters[1].basicAuth.password: environment variable CONNECT_DEV_PASSWORD is not set`,
    );
  });
});
