import { describe, expect, it } from 'vitest';
import { parseArgs, usage } from '../../src/cli.ts';
import type { CliOptions } from '../../src/config/flags.ts';
import { isSentinelError } from '../../src/errors.ts';

const NO_OVERRIDES = {
  listenAddress: undefined,
  dataDir: undefined,
  logLevel: undefined,
  restartEnabled: undefined,
  restartDryRun: undefined,
};

function options(argv: string[]): CliOptions {
  const parsed = parseArgs(argv);
  if ('help' in parsed || 'version' in parsed) throw new Error('expected options');
  return parsed;
}

function usageErrorOf(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (err) {
    expect(isSentinelError(err, 'CS_ERR_CLI_USAGE')).toBe(true);
    const message = (err as Error).message;
    expect(message.endsWith('\nRun with --help for usage.')).toBe(true);
    return message.slice(0, -'\nRun with --help for usage.'.length);
  }
  throw new Error('expected a usage error');
}

describe('parseArgs', () => {
  it('reads a config file, in both value forms', () => {
    for (const argv of [['--config.file=/etc/s.yaml'], ['--config.file', '/etc/s.yaml']]) {
      expect(options(argv)).toEqual({
        configFile: '/etc/s.yaml',
        configCheck: false,
        connect: undefined,
        demo: false,
        overrides: NO_OVERRIDES,
      });
    }
  });

  it('reads a single cluster from --connect.* flags', () => {
    const parsed = options([
      '--connect.url=https://c-0:8443,https://c-1:8443',
      '--connect.url',
      'https://c-2:8443',
      '--connect.name=prod',
      '--connect.username=admin',
      '--connect.password-file=/run/secrets/pw',
      '--connect.tls.ca-file=/etc/ca.pem',
      '--connect.tls.insecure-skip-verify',
    ]);
    expect(parsed.connect).toEqual({
      urls: ['https://c-0:8443', 'https://c-1:8443', 'https://c-2:8443'],
      name: 'prod',
      username: 'admin',
      passwordFile: '/run/secrets/pw',
      bearerTokenFile: undefined,
      tlsCaFile: '/etc/ca.pem',
      tlsInsecureSkipVerify: true,
    });
  });

  it('names the single cluster "default" unless told otherwise', () => {
    expect(options(['--connect.url=http://c:8083']).connect?.name).toBe('default');
  });

  it('reads the override flags and booleans in every spelling', () => {
    const parsed = options([
      '--config.file=s.yaml',
      '--config.check',
      '--web.listen-address=127.0.0.1:9000',
      '--data.dir',
      '/var/lib/cs',
      '--log.level=debug',
      '--restart.enabled=true',
      '--no-restart.dry-run',
    ]);
    expect(parsed.configCheck).toBe(true);
    expect(parsed.overrides).toEqual({
      listenAddress: '127.0.0.1:9000',
      dataDir: '/var/lib/cs',
      logLevel: 'debug',
      restartEnabled: true,
      restartDryRun: false,
    });
    expect(options(['--config.file=s.yaml', '--restart.enabled=false']).overrides.restartEnabled).toBe(false);
  });

  it('takes --demo alone', () => {
    expect(options(['--demo']).demo).toBe(true);
  });

  it('answers --help, -h and --version before anything else is checked', () => {
    expect(parseArgs(['--help'])).toEqual({ help: true });
    expect(parseArgs(['-h', '--connect.url=ftp://x'])).toEqual({ help: true });
    expect(parseArgs(['--version'])).toEqual({ version: true });
  });

  it.each([
    [['--config.fil=s.yaml'], 'unknown flag --config.fil (did you mean --config.file?)'],
    [['--web.listen_address=:1'], 'unknown flag --web.listen_address (did you mean --web.listen-address?)'],
    [['--frobnicate'], 'unknown flag --frobnicate'],
    [['--no-config.file'], 'unknown flag --no-config.file'],
    [['s.yaml'], 'unexpected argument "s.yaml"'],
    [['--config.file'], '--config.file needs a value'],
    [['--config.file', '--demo'], '--config.file needs a value'],
    [['--config.file='], '--config.file must not be empty'],
    [['--config.file=a', '--config.file=b'], '--config.file is given more than once'],
    [['--demo=yes'], '--demo takes true or false, got "yes"'],
    [[], 'set --config.file, or --connect.url for a single cluster'],
    [['--log.level=debug'], 'set --config.file, or --connect.url for a single cluster'],
    [['--config.file=s.yaml', '--connect.url=http://c:8083'], '--config.file and --connect.url cannot be used together: put the cluster in the config file'],
    [['--demo', '--config.file=s.yaml'], '--demo brings its own clusters: leave out --config.file and --connect.url'],
    [['--config.file=s.yaml', '--connect.username=admin'], '--connect.username needs --connect.url'],
    [['--connect.url=http://c:8083,'], '--connect.url has an empty URL'],
    [['--connect.url=http://admin:pw@c:8083'], '--connect.url: credentials are not allowed in URLs'],
    [['--connect.url=c:8083'], '--connect.url: must start with http:// or https://'],
    [['--connect.url=http://c:8083', '--connect.password-file=pw'], '--connect.password-file needs --connect.username'],
    [
      ['--connect.url=http://c:8083', '--connect.username=a', '--connect.bearer-token-file=t'],
      'set either --connect.username or --connect.bearer-token-file, not both',
    ],
    [['--config.file=s.yaml', '--log.level=loud'], '--log.level must be one of trace, debug, info, warn, error, fatal, got "loud"'],
    [
      ['--config.file=s.yaml', '--web.listen-address=9843'],
      '--web.listen-address: invalid listen address "9843": use host:port, [::1]:9843 or :9843',
    ],
  ])('%j is a usage error', (argv, message) => {
    expect(usageErrorOf(argv)).toBe(message);
  });

  it('never echoes URL credentials', () => {
    expect(usageErrorOf(['--connect.url=http://admin:hunter2@c:8083'])).not.toContain('hunter2');
  });
});

describe('usage', () => {
  it('lists every flag', () => {
    const text = usage();
    for (const flag of [
      '--config.file=PATH',
      '--config.check',
      '--connect.url=URL',
      '--connect.name=NAME',
      '--connect.username=USER',
      '--connect.password-file=PATH',
      '--connect.bearer-token-file=PATH',
      '--connect.tls.ca-file=PATH',
      '--connect.tls.insecure-skip-verify',
      '--web.listen-address=ADDR',
      '--data.dir=PATH',
      '--log.level=LEVEL',
      '--restart.enabled',
      '--restart.dry-run',
      '--demo',
      '--help',
      '--version',
      'CONNECT_SENTINEL_PASSWORD',
    ]) {
      expect(text).toContain(flag);
    }
  });
});
