// What loading makes of a config: defaults applied, files read and resolved, values in ms and bytes, frozen.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from '../../src/config/load.ts';
import { isSentinelError } from '../../src/errors.ts';
import { restartSectionSchema } from '../../src/config/restart-section.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/config/', import.meta.url)).replace(/\/$/, '');
const CERT = readFileSync(`${FIXTURES}/tls/test-cert.pem`, 'utf8');
const KEY = readFileSync(`${FIXTURES}/tls/test-key.pem`, 'utf8');

describe('defaults', () => {
  it('fills in every default for a minimal config', async () => {
    const { config } = await loadConfigFile(`${FIXTURES}/valid-minimal.yaml`, {});
    expect(JSON.parse(JSON.stringify(config))).toEqual({
      clusters: [
        {
          name: 'prod',
          urls: ['http://connect:8083'],
          pollInterval: 15_000,
          timeout: 10_000,
          maxResponseSize: 64 * 1024 * 1024,
          maxConnectors: 20_000,
          maxTasks: 100_000,
          maxExpositionSize: 128 * 1024 * 1024,
          connectors: { include: ['*'], exclude: [] },
          pluginsInterval: 600_000,
        },
      ],
      web: { listenAddress: ':9843', port: 9843, maxRequestBodySize: 64 * 1024 },
      api: {},
      dataDir: './data',
      metrics: { dropZeroStates: false, processMetrics: true },
      log: { level: 'info' },
      restart: JSON.parse(JSON.stringify(restartSectionSchema.parse(undefined))),
    });
    expect(config.restart.enabled).toBe(false);
    expect(config.clusters[0]?.basicAuth).toBeUndefined();
    expect(config.web.host).toBeUndefined();
    expect(config.api.token).toBeUndefined();
  });

  it('defaults the timeout to the poll interval when that is shorter than 10s', async () => {
    const text = 'clusters:\n  - name: a\n    url: http://a:8083\n    pollInterval: 4s\n';
    const { config } = await parseConfigText(text, { source: 'inline.yaml', baseDir: FIXTURES });
    expect(config.clusters[0]?.timeout).toBe(4000);
  });

  it('freezes the whole config', async () => {
    const { config } = await loadConfigFile(`${FIXTURES}/valid-minimal.yaml`, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.clusters)).toBe(true);
    expect(Object.isFrozen(config.clusters[0]?.connectors.include)).toBe(true);
    expect(() => {
      (config.log as { level: string }).level = 'debug';
    }).toThrow(TypeError);
  });
});

describe('a config with every key set', () => {
  const loaded = loadConfigFile(`${FIXTURES}/valid-full.yaml`, { CONNECT_DEV_PASSWORD: 'dev-password' });

  it('reads the clusters, with secrets and TLS files resolved against the config directory', async () => {
    const [prod, staging, dev] = (await loaded).config.clusters;
    expect(prod?.urls).toEqual(['https://connect-0.example.com:8443', 'https://connect-1.example.com:8443/base']);
    expect(prod?.basicAuth?.username).toBe('admin');
    expect(prod?.basicAuth?.password.reveal()).toBe('fixture-password');
    expect(prod?.tls?.ca).toBe(CERT);
    expect(prod?.tls?.cert).toBe(CERT);
    expect(prod?.tls?.key?.reveal()).toBe(KEY);
    expect(prod?.tls?.serverName).toBe('connect.example.com');
    expect(prod?.tls?.insecureSkipVerify).toBe(false);
    expect(prod?.pollInterval).toBe(30_000);
    expect(prod?.timeout).toBe(20_000);
    expect(prod?.maxResponseSize).toBe(128 * 1024 * 1024);
    expect(prod?.connectors).toEqual({ include: ['orders-*', 'payments-*'], exclude: ['*-tmp'] });
    expect(prod?.pluginsInterval).toBe(3_600_000);
    expect(staging?.bearerToken?.reveal()).toBe('fixture-token');
    expect(staging?.timeout).toBe(5000);
    expect(dev?.basicAuth?.password.reveal()).toBe('dev-password$');
  });

  it('reads the web, api, storage, metrics and log sections', async () => {
    const { config } = await loaded;
    expect(config.web.listenAddress).toBe('[::1]:9900');
    expect(config.web.host).toBe('::1');
    expect(config.web.port).toBe(9900);
    expect(config.web.tls?.cert).toBe(CERT);
    expect(config.web.tls?.key.reveal()).toBe(KEY);
    expect(config.web.tls?.clientCa).toBe(CERT);
    expect(config.web.basicAuth?.password.reveal()).toBe('fixture-password');
    expect(config.web.bearerToken?.reveal()).toBe('fixture-token');
    expect(config.web.maxRequestBodySize).toBe(16 * 1024);
    expect(config.api.token?.reveal()).toBe('fixture-api-token');
    expect(config.dataDir).toBe(`${FIXTURES}/state`);
    expect(config.metrics).toEqual({ dropZeroStates: true, processMetrics: false });
    expect(config.log.level).toBe('debug');
  });
});

describe('loadConfigFile', () => {
  it('names the file as given when it cannot be read', async () => {
    await expect(loadConfigFile('/nonexistent/sentinel.yaml', {})).rejects.toSatisfy(
      (err) =>
        isSentinelError(err, 'CS_ERR_CONFIG_READ') &&
        err.message === '/nonexistent/sentinel.yaml: cannot read the config file: ENOENT',
    );
  });

  it('hashes the file text as sha256sum does', async () => {
    const { sha256 } = await loadConfigFile(`${FIXTURES}/valid-minimal.yaml`, {});
    const { createHash } = await import('node:crypto');
    expect(sha256).toBe(createHash('sha256').update(readFileSync(`${FIXTURES}/valid-minimal.yaml`)).digest('hex'));
  });

  it('applies command line overrides on top of the file', async () => {
    const { config } = await loadConfigFile(`${FIXTURES}/valid-full.yaml`, { CONNECT_DEV_PASSWORD: 'x' }, {
      overrides: { listenAddress: '127.0.0.1:0', logLevel: 'warn', dataDir: 'elsewhere', restartEnabled: true, restartDryRun: true },
    });
    expect(config.restart).toMatchObject({ enabled: true, dryRun: true });
    expect(config.web).toMatchObject({ listenAddress: '127.0.0.1:0', host: '127.0.0.1', port: 0 });
    expect(config.log.level).toBe('warn');
    expect(config.dataDir).toBe('elsewhere');
  });
});
