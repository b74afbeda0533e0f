// Table-driven config fixtures in the style of blackbox_exporter: every invalid-*.yaml is paired with its exact
// message, so messages are part of the contract; every valid-*.yaml must load.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.ts';
import { isSentinelError } from '../../src/errors.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/config/', import.meta.url)).replace(/\/$/, '');
const ENV = { CONNECT_PASSWORD: 'env-password', CONNECT_DEV_PASSWORD: 'dev-password' };

/** Each invalid fixture and the lines of its error; /FIXTURES stands for the fixture directory. */
const INVALID: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['invalid-unknown-key-top.yaml', [
    'invalid-unknown-key-top.yaml: clusters: required',
    'invalid-unknown-key-top.yaml: clusterz: unknown key (did you mean clusters?)',
  ]],
  ['invalid-unknown-key-cluster.yaml', [
    'invalid-unknown-key-cluster.yaml: clusters[0].pollIntervall: unknown key (did you mean pollInterval?)',
  ]],
  ['invalid-unknown-key-tls.yaml', [
    'invalid-unknown-key-tls.yaml: clusters[0].tls.insecure_skip_verify: unknown key (did you mean insecureSkipVerify?)',
  ]],
  ['invalid-unknown-key-web-basic-auth.yaml', [
    'invalid-unknown-key-web-basic-auth.yaml: web.basicAuth.pasword: unknown key (did you mean password?)',
    'invalid-unknown-key-web-basic-auth.yaml: web.basicAuth: set password or passwordFile',
  ]],
  ['invalid-unknown-key-no-suggestion.yaml', [
    'invalid-unknown-key-no-suggestion.yaml: clusters[0].colour: unknown key',
  ]],
  ['invalid-clusters-not-a-list.yaml', [
    'invalid-clusters-not-a-list.yaml: clusters: expected a list, got a mapping',
  ]],
  ['invalid-clusters-empty.yaml', ['invalid-clusters-empty.yaml: clusters: must not be empty']],
  ['invalid-boolean-as-string.yaml', [
    'invalid-boolean-as-string.yaml: clusters[0].tls.insecureSkipVerify: expected true or false, got a string',
  ]],
  ['invalid-basic-auth-not-a-mapping.yaml', [
    'invalid-basic-auth-not-a-mapping.yaml: clusters[0].basicAuth: expected a mapping, got a string',
  ]],
  ['invalid-missing-cluster-name.yaml', ['invalid-missing-cluster-name.yaml: clusters[0].name: required']],
  ['invalid-empty-cluster-name.yaml', ['invalid-empty-cluster-name.yaml: clusters[0].name: must not be empty']],
  ['invalid-cluster-name-too-long.yaml', [
    'invalid-cluster-name-too-long.yaml: clusters[0].name: must be at most 128 characters',
  ]],
  ['invalid-cluster-name-control-character.yaml', [
    'invalid-cluster-name-control-character.yaml: clusters[0].name: must not contain control characters',
  ]],
  ['invalid-cluster-name-slash.yaml', ['invalid-cluster-name-slash.yaml: clusters[0].name: must not contain "/"']],
  ['invalid-duplicate-cluster-name.yaml', [
    'invalid-duplicate-cluster-name.yaml: clusters[2].name: duplicate cluster name "prod" (also clusters[0])',
  ]],
  ['invalid-missing-url.yaml', ['invalid-missing-url.yaml: clusters[0].url: required']],
  ['invalid-url-empty-list.yaml', ['invalid-url-empty-list.yaml: clusters[0].url: must list at least one URL']],
  ['invalid-url-bad-scheme.yaml', [
    'invalid-url-bad-scheme.yaml: clusters[0].url: must start with http:// or https://',
  ]],
  ['invalid-url-without-scheme.yaml', [
    'invalid-url-without-scheme.yaml: clusters[0].url: must start with http:// or https://',
  ]],
  ['invalid-url-credentials.yaml', [
    'invalid-url-credentials.yaml: clusters[0].url[1]: credentials are not allowed in URLs',
  ]],
  ['invalid-url-query.yaml', ['invalid-url-query.yaml: clusters[0].url: must not have a query or fragment']],
  ['invalid-url-not-a-string.yaml', ['invalid-url-not-a-string.yaml: clusters[0].url[1]: expected a URL']],
  ['invalid-url-duplicate.yaml', ['invalid-url-duplicate.yaml: clusters[0].url[1]: duplicate of url[0]']],
  ['invalid-password-and-password-file.yaml', [
    'invalid-password-and-password-file.yaml: clusters[0].basicAuth: set either password or passwordFile, not both',
  ]],
  ['invalid-basic-auth-without-password.yaml', [
    'invalid-basic-auth-without-password.yaml: clusters[0].basicAuth: set password or passwordFile',
  ]],
  ['invalid-basic-auth-username-colon.yaml', [
    'invalid-basic-auth-username-colon.yaml: clusters[0].basicAuth.username: must not contain ":" (HTTP basic auth cannot carry it)',
  ]],
  ['invalid-basic-auth-and-bearer-token.yaml', [
    'invalid-basic-auth-and-bearer-token.yaml: clusters[0]: set either basicAuth or bearerTokenFile, not both',
  ]],
  ['invalid-password-file-unreadable.yaml', [
    'invalid-password-file-unreadable.yaml: clusters[0].basicAuth.passwordFile: cannot read "/nonexistent/connect-sentinel/password": ENOENT',
  ]],
  ['invalid-token-file-empty.yaml', [
    'invalid-token-file-empty.yaml: api.tokenFile: "/FIXTURES/secrets/empty" is empty',
  ]],
  ['invalid-cert-without-key.yaml', [
    'invalid-cert-without-key.yaml: clusters[0].tls: set certFile and keyFile together',
  ]],
  ['invalid-web-tls-without-key.yaml', ['invalid-web-tls-without-key.yaml: web.tls.keyFile: required']],
  ['invalid-ca-file-not-pem.yaml', [
    'invalid-ca-file-not-pem.yaml: clusters[0].tls.caFile: "/FIXTURES/tls/not-pem.txt" holds no PEM certificate',
  ]],
  ['invalid-tls-on-plain-http.yaml', [
    'invalid-tls-on-plain-http.yaml: clusters[0].tls: is set, but no url uses https',
  ]],
  ['invalid-bad-duration.yaml', [
    'invalid-bad-duration.yaml: clusters[0].pollInterval: invalid duration "30 seconds": use a number with a unit, e.g. 30s, 5m, 1h',
  ]],
  ['invalid-duration-without-unit.yaml', [
    'invalid-duration-without-unit.yaml: clusters[0].pollInterval: invalid duration 30: use a number with a unit, e.g. 30s, 5m, 1h',
  ]],
  ['invalid-poll-interval-too-short.yaml', [
    'invalid-poll-interval-too-short.yaml: clusters[0].pollInterval: must be at least 1s',
  ]],
  ['invalid-timeout-exceeds-poll-interval.yaml', [
    'invalid-timeout-exceeds-poll-interval.yaml: clusters[0].timeout: must not exceed pollInterval (10s)',
  ]],
  ['invalid-bad-size.yaml', [
    'invalid-bad-size.yaml: clusters[0].maxResponseSize: invalid size "64 megabytes": use a number of bytes or a number with a unit, e.g. 512KiB, 64MiB, 1GB',
  ]],
  ['invalid-size-too-small.yaml', [
    'invalid-size-too-small.yaml: web.maxRequestBodySize: must be at least 1024 bytes',
  ]],
  ['invalid-bad-listen-address.yaml', [
    'invalid-bad-listen-address.yaml: web.listenAddress: invalid listen address "9843": use host:port, [::1]:9843 or :9843',
  ]],
  ['invalid-listen-address-bad-port.yaml', [
    'invalid-listen-address-bad-port.yaml: web.listenAddress: invalid listen address "[::1]:98430": use host:port, [::1]:9843 or :9843',
  ]],
  ['invalid-bad-log-level.yaml', [
    'invalid-bad-log-level.yaml: log.level: must be one of trace, debug, info, warn, error, fatal, got "verbose"',
  ]],
  ['invalid-empty-connector-glob.yaml', [
    'invalid-empty-connector-glob.yaml: clusters[0].connectors.exclude[1]: glob must not be empty',
  ]],
  ['invalid-unset-env-var.yaml', [
    'invalid-unset-env-var.yaml: clusters[0].basicAuth.password: environment variable CONNECT_SENTINEL_TEST_UNSET is not set',
  ]],
  ['invalid-unterminated-env-var.yaml', [
    'invalid-unterminated-env-var.yaml: clusters[0].basicAuth.password: unterminated "${": write ${NAME}, or $$ for a literal dollar',
  ]],
  ['invalid-yaml-syntax.yaml', [
    'invalid-yaml-syntax.yaml:4:1: invalid YAML: bad indentation, or a [ or { that is not closed',
  ]],
  ['invalid-yaml-bad-indentation.yaml', ['invalid-yaml-bad-indentation.yaml:3:1: invalid YAML: a character is missing here: a closing quote or bracket, or the - of a sequence item']],
  ['invalid-yaml-duplicate-key.yaml', [
    'invalid-yaml-duplicate-key.yaml:4:5: invalid YAML: a key appears twice (map keys must be unique)',
  ]],
  ['invalid-yaml-two-documents.yaml', [
    'invalid-yaml-two-documents.yaml:4:1: invalid YAML: only one YAML document is allowed',
  ]],
  ['invalid-empty.yaml', ['invalid-empty.yaml: the file is empty; at least "clusters" is required']],
  ['invalid-only-comments.yaml', [
    'invalid-only-comments.yaml: the file is empty; at least "clusters" is required',
  ]],
  ['invalid-top-level-list.yaml', [
    'invalid-top-level-list.yaml: expected a mapping of keys at the top level, got a list',
  ]],
  ['invalid-several-problems.yaml', [
    'invalid-several-problems.yaml: clusters[0].url: must start with http:// or https://',
    'invalid-several-problems.yaml: clusters[0].pollInterval: invalid duration "5 minutes": use a number with a unit, e.g. 30s, 5m, 1h',
    'invalid-several-problems.yaml: clusters[1].basicAuth: set either password or passwordFile, not both',
    'invalid-several-problems.yaml: web.listenAddres: unknown key (did you mean listenAddress?)',
    'invalid-several-problems.yaml: log.level: must be one of trace, debug, info, warn, error, fatal, got "loud"',
  ]],
  ['invalid-restart-bad-cron.yaml', ['invalid-restart-bad-cron.yaml: restart.blackouts[0].cron: invalid cron expression "61 * * * *"']],
  ['invalid-restart-empty-glob.yaml', ['invalid-restart-empty-glob.yaml: restart.rules[0].match.exceptions[1]: glob must not be empty']],
  ['invalid-restart-duplicate-rule-name.yaml', ['invalid-restart-duplicate-rule-name.yaml: restart.rules[1].name: duplicate rule name "jdbc"']],
  ['invalid-restart-unknown-action.yaml', [
    'invalid-restart-unknown-action.yaml: restart.rules[0].action: must be one of restart, never, got "reboot"',
  ]],
  ['invalid-restart-wrong-number.yaml', [
    'invalid-restart-wrong-number.yaml: restart.defaults.backoff.multiplier: expected a number, got infinity',
    'invalid-restart-wrong-number.yaml: restart.recovery.healthyPolls: expected a whole number, got a fraction',
  ]],
  ['invalid-section-wrong-type.yaml', [
    'invalid-section-wrong-type.yaml: metrics: expected a mapping, got an empty value',
    'invalid-section-wrong-type.yaml: restart: expected a mapping, got a boolean',
  ]],
  ['invalid-restart-unknown-key.yaml', [
    'invalid-restart-unknown-key.yaml: restart.defaults.backoff.mulitplier: unknown key (did you mean multiplier?)',
  ]],
];

function load(file: string) {
  return parseConfigText(readFileSync(`${FIXTURES}/${file}`, 'utf8'), { source: file, baseDir: FIXTURES, env: ENV });
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the config to be rejected');
}

describe('invalid config fixtures', () => {
  it.each(INVALID)('%s', async (file, lines) => {
    const err = await errorOf(load(file));
    expect(isSentinelError(err, 'CS_ERR_CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toBe(lines.join('\n').replaceAll('/FIXTURES', FIXTURES));
  });

  it('has an expected message for every invalid fixture, and a fixture for every message', () => {
    const files = readdirSync(FIXTURES).filter((name) => name.startsWith('invalid-'));
    expect(INVALID.map(([file]) => file).sort()).toEqual(files.sort());
  });

  it('never echoes the credentials of a URL', async () => {
    const err = await errorOf(load('invalid-url-credentials.yaml'));
    expect((err as Error).message).not.toContain('hunter2');
  });
});

describe('valid config fixtures', () => {
  const files = readdirSync(FIXTURES).filter((name) => name.startsWith('valid-'));

  it.each(files)('%s loads', async (file) => {
    const loaded = await load(file);
    expect(loaded.config.clusters.length).toBeGreaterThan(0);
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
