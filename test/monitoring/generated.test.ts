// The committed outputs are what the TypeScript sources generate, and the generator's config and command line work.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultConfig, resolveConfig } from '../../alerts/src/config.ts';
import { generateAll } from '../../tools/monitoring/generate.ts';
import { durationInWords } from '../../alerts/src/humanize.ts';
import { alertGroups } from '../../alerts/src/alerts.ts';
import { isSentinelError } from '../../src/errors.ts';
import { run } from './tools.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'monitoring-generated-'));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('the committed monitoring files', () => {
  it.each(generateAll(defaultConfig).map((file) => [file.path, file] as const))('%s is up to date (npx node tools/monitoring/build.ts)', (path, file) => {
    expect(readFileSync(join(REPO, path), 'utf8')).toBe(file.content);
  });
});

describe('resolveConfig', () => {
  function problem(overrides: unknown): string {
    try {
      resolveConfig(overrides);
    } catch (err) {
      expect(isSentinelError(err, 'CS_ERR_CONFIG_INVALID')).toBe(true);
      return (err as Error).message;
    }
    throw new Error('no error');
  }

  it('names the key of each problem', () => {
    expect(problem({ alerts: { KafkaConnectTaskFailed: { for: '15 minutes' } } })).toContain('alerts.KafkaConnectTaskFailed.for: invalid duration');
    expect(problem({ alerts: { KafkaConnectTaskFaild: {} } })).toContain('alerts: Unrecognized key: "KafkaConnectTaskFaild"');
    expect(problem({ groupLabels: ['cluster'] })).toContain('groupLabels: must include job');
    expect(problem({ alerts: { KafkaConnectTaskFailed: { severity: 'page' } } })).toContain('alerts.KafkaConnectTaskFailed.severity');
    expect(problem({ thresholds: { restErrorRatio: 5 } })).toContain('thresholds.restErrorRatio');
  });

  it('keeps every default it is not given and normalises durations', () => {
    const config = resolveConfig({ alerts: { KafkaConnectTaskFailed: { for: '90s' } } });
    expect(config.alerts.KafkaConnectTaskFailed).toEqual({ for: '1m30s', severity: 'warning', enabled: true });
    expect(config.alerts.KafkaConnectConnectorFailed).toEqual(defaultConfig.alerts.KafkaConnectConnectorFailed);
    expect(resolveConfig(undefined)).toEqual(defaultConfig);
  });

  it('leaves out disabled alerts and the groups they empty', () => {
    const disabled = Object.fromEntries(
      ['KafkaConnectRestartLoop', 'KafkaConnectAutoRestartExhausted', 'KafkaConnectAutoRestartCircuitOpen'].map((name) => [name, { enabled: false }]),
    );
    const names = alertGroups(resolveConfig({ alerts: disabled })).map((group) => group.name);
    expect(names).toEqual(['connect-sentinel.exporter', 'connect-sentinel.kafka-connect']);
  });
});

describe('durationInWords', () => {
  it.each([
    ['15m', '15 minutes'],
    ['1h', '1 hour'],
    ['1d', '1 day'],
    ['1h30m', '1 hour 30 minutes'],
    ['1s', '1 second'],
    ['0s', '0 seconds'],
  ])('says %s as %s', (duration, words) => {
    expect(durationInWords(duration)).toBe(words);
  });
});

describe('npx node tools/monitoring/build.ts', () => {
  const build = (...args: string[]) => run(process.execPath as `/${string}`, [join(REPO, 'tools/monitoring/build.ts'), ...args], { cwd: REPO });

  it('--check passes on the committed files', async () => {
    const result = await build('--check');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('--check fails on a stale file and names it', async () => {
    const outDir = join(workDir, 'stale');
    expect((await build('--out-dir', outDir)).code).toBe(0);
    writeFileSync(join(outDir, 'connect-sentinel.rules.yml'), 'groups: []\n');
    const result = await build('--check', '--out-dir', outDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('alerts/connect-sentinel.rules.yml');
  });

  it('--config and --out-dir write every file with the overrides applied', async () => {
    const configFile = join(workDir, 'monitoring.yaml');
    writeFileSync(configFile, 'selector: job="kafka-connect-watch"\nalerts:\n  KafkaConnectTaskFailed:\n    for: 30m\n');
    const outDir = join(workDir, 'custom');
    const result = await build('--config', configFile, '--out-dir', outDir);
    expect(result.code).toBe(0);
    expect(readdirSync(outDir).sort()).toEqual([
      'alertmanager.example.yml',
      'connect-sentinel-connector.json',
      'connect-sentinel-overview.json',
      'connect-sentinel.rules.yml',
      'prometheusrule.yaml',
    ]);
    const rules = parse(readFileSync(join(outDir, 'connect-sentinel.rules.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert?: string; expr: string; for?: string }> }>;
    };
    const taskFailed = rules.groups.flatMap((group) => group.rules).find((rule) => rule.alert === 'KafkaConnectTaskFailed');
    // It waits on the task's state clock: 30 minutes in the expression, no `for`.
    expect(taskFailed?.for).toBeUndefined();
    expect(taskFailed?.expr).toContain(') >= 1800)[15m:])');
    expect(taskFailed?.expr).toContain('job="kafka-connect-watch"');
  });

  it('reports an invalid config file and exits 1', async () => {
    const configFile = join(workDir, 'invalid.yaml');
    writeFileSync(configFile, 'alerts:\n  KafkaConnectTaskFailed:\n    for: soon\n');
    const result = await build('--config', configFile, '--out-dir', join(workDir, 'never'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('alerts.KafkaConnectTaskFailed.for: invalid duration "soon"');
  });
});
