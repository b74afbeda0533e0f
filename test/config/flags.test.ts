import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli.ts';
import type { CliOptions } from '../../src/config/flags.ts';
import { configFromFlags } from '../../src/config/flags.ts';
import { parseConfigText } from '../../src/config/load.ts';
import { isSentinelError } from '../../src/errors.ts';

function options(argv: string[]): CliOptions {
  const parsed = parseArgs(argv);
  if ('help' in parsed || 'version' in parsed) throw new Error('expected options');
  return parsed;
}

const FILES: Record<string, string> = {
  '/work/pw': 'file-password\n',
  '/work/token': 'a-token\n',
  '/etc/ca.pem': '-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n',
};

async function readFile(path: string): Promise<string> {
  const text = FILES[path];
  if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  return text;
}

const deps = { cwd: '/work', readFile };

async function usageMessage(argv: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    await configFromFlags(options(argv), env, deps);
  } catch (err) {
    expect(isSentinelError(err, 'CS_ERR_CLI_USAGE')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('configFromFlags', () => {
  it('builds the same config as the equivalent file', async () => {
    const fromFlags = await configFromFlags(
      options(['--connect.url=http://c-0:8083/,http://c-1:8083', '--connect.name=prod', '--connect.username=admin', '--log.level=warn']),
      { CONNECT_SENTINEL_PASSWORD: 'env-password' },
      deps,
    );
    const fromFile = await parseConfigText(
      'clusters:\n  - name: prod\n    url: [http://c-0:8083/, http://c-1:8083]\n    basicAuth: { username: admin, password: env-password }\nlog: { level: warn }\n',
      { source: 'sentinel.yaml', baseDir: '/work' },
    );
    expect(JSON.stringify(fromFlags.config)).toBe(JSON.stringify(fromFile.config));
    expect(fromFlags.config.clusters[0]?.basicAuth?.password.reveal()).toBe('env-password');
  });

  it('reads the password, token and CA files relative to the working directory', async () => {
    const withPassword = await configFromFlags(
      options(['--connect.url=https://c:8443', '--connect.username=admin', '--connect.password-file=pw', '--connect.tls.ca-file=/etc/ca.pem']),
      {},
      deps,
    );
    const cluster = withPassword.config.clusters[0];
    expect(cluster?.basicAuth?.password.reveal()).toBe('file-password');
    expect(cluster?.tls?.ca).toBe(FILES['/etc/ca.pem']);
    expect(cluster?.tls?.insecureSkipVerify).toBe(false);
    const withToken = await configFromFlags(options(['--connect.url=http://c:8083', '--connect.bearer-token-file=token']), {}, deps);
    expect(withToken.config.clusters[0]?.bearerToken?.reveal()).toBe('a-token');
  });

  it('keeps a --data.dir relative to the working directory as given', async () => {
    const { config } = await configFromFlags(options(['--connect.url=http://c:8083', '--data.dir=state']), {}, deps);
    expect(config.dataDir).toBe('state');
  });

  it('keeps the password out of sha256 but not out of the digest', async () => {
    const argv = ['--connect.url=http://c:8083', '--connect.username=admin'];
    const one = await configFromFlags(options(argv), { CONNECT_SENTINEL_PASSWORD: 'one' }, deps);
    const two = await configFromFlags(options(argv), { CONNECT_SENTINEL_PASSWORD: 'two' }, deps);
    expect(one.sha256).toBe(two.sha256);
    expect(one.digest).not.toBe(two.digest);
  });

  it.each([
    [['--connect.url=http://c:8083', '--connect.username=admin'], {}, '--connect.username needs a password: set CONNECT_SENTINEL_PASSWORD or --connect.password-file'],
    [
      ['--connect.url=http://c:8083', '--connect.username=admin', '--connect.password-file=pw'],
      { CONNECT_SENTINEL_PASSWORD: 'x' },
      'set either CONNECT_SENTINEL_PASSWORD or --connect.password-file, not both',
    ],
    [['--connect.url=http://c:8083'], { CONNECT_SENTINEL_PASSWORD: 'x' }, 'CONNECT_SENTINEL_PASSWORD is set, but --connect.username is not'],
  ])('%j with %j is refused', async (argv, env, message) => {
    expect(await usageMessage(argv, env)).toBe(`${message}\nRun with --help for usage.`);
  });

  it('names the flag whose value is wrong', async () => {
    expect(await usageMessage(['--connect.url=http://c:8083', '--connect.name=a/b'])).toBe('--connect.name: must not contain "/"');
    expect(await usageMessage(['--connect.url=http://c:8083', '--connect.bearer-token-file=missing'])).toBe(
      '--connect.bearer-token-file: cannot read "/work/missing": ENOENT',
    );
    expect(await usageMessage(['--connect.url=http://c:8083', '--connect.tls.insecure-skip-verify'])).toBe(
      '--connect.tls.*: is set, but no url uses https',
    );
    expect(await usageMessage(['--connect.url=http://c:8083,http://c:8083'])).toBe('--connect.url: duplicate of url[0]');
  });

  it('needs --connect.url', async () => {
    await expect(configFromFlags(options(['--config.file=s.yaml']), {}, deps)).rejects.toThrow(
      '--connect.url is required to configure a cluster with flags',
    );
  });
});
