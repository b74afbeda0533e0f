// Whatever text arrives, loading either succeeds or fails with a SentinelError: no TypeError, no hang, no crash.

import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.ts';
import { isSentinelError } from '../../src/errors.ts';

const VALID = `clusters:
  - name: prod
    url: [http://connect-0:8083, http://connect-1:8083]
    basicAuth: { username: admin, password: "\${PW}" }
    pollInterval: 30s
    connectors: { include: ["*"], exclude: ["tmp-*"] }
web:
  listenAddress: ":9843"
log:
  level: info
`;

const KEYS = [
  'clusters', 'name', 'url', 'basicAuth', 'username', 'password', 'passwordFile', 'bearerTokenFile', 'tls', 'caFile',
  'certFile', 'keyFile', 'insecureSkipVerify', 'serverName', 'pollInterval', 'timeout', 'maxResponseSize', 'connectors',
  'include', 'exclude', 'pluginsInterval', 'web', 'listenAddress', 'maxRequestBodySize', 'api', 'tokenFile', 'dataDir',
  'metrics', 'dropZeroStates', 'processMetrics', 'log', 'level', 'restart', 'enabled', '__proto__', 'constructor',
];

const scalar = fc.oneof(
  fc.constantFrom('30s', '1m', '0', 'x', '', '64MiB', 'http://c:8083', 'https://c:8443/', ':9843', 'info', '*', '${PW}', '${NOPE}', '$$'),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

const tree = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 4 }),
  ),
})).node;

const YAML_CHARS = 'ab:- \n\t[]{}"\'#&*!|>%@,?.0123456789$'.split('');

async function loadsOrFailsCleanly(text: string): Promise<void> {
  try {
    const { config } = await parseConfigText(text, {
      source: 'fuzz.yaml',
      baseDir: '/',
      env: { PW: 'pw' },
      readFile: () => Promise.reject(Object.assign(new Error('ENOENT'), { code: 'ENOENT' })),
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.clusters.length).toBeGreaterThan(0);
  } catch (err) {
    if (!isSentinelError(err, 'CS_ERR_CONFIG_INVALID')) throw err;
    expect(err.message.length).toBeGreaterThan(0);
  }
}

describe('loading arbitrary input', () => {
  it('handles YAML-ish noise', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: fc.constantFrom(...YAML_CHARS), maxLength: 120 }), loadsOrFailsCleanly), {
      numRuns: 300,
    });
  });

  it('handles well-formed YAML of any shape built from config keys', async () => {
    await fc.assert(fc.asyncProperty(tree, (node) => loadsOrFailsCleanly(stringify(node))), { numRuns: 300 });
  });

  it('handles a valid config with random edits', async () => {
    const edit = fc.tuple(fc.nat({ max: VALID.length }), fc.nat({ max: 5 }), fc.string({ unit: fc.constantFrom(...YAML_CHARS), maxLength: 4 }));
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        let text = VALID;
        for (const [at, remove, insert] of edits) text = text.slice(0, at) + insert + text.slice(at + remove);
        await loadsOrFailsCleanly(text);
      }),
      { numRuns: 300 },
    );
  });

  it('survives an alias bomb and deep nesting', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      return `${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
    })].join('\n');
    await loadsOrFailsCleanly(bomb);
    await loadsOrFailsCleanly(`clusters: ${'['.repeat(5000)}${']'.repeat(5000)}`);
    await loadsOrFailsCleanly(`clusters:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i * 2 + 2)}k${i}:`).join('\n')} x`);
  });
});
