// The command line, Prometheus style: `--flag=value` or `--flag value`; booleans as `--flag`, `--flag=false` or
// `--no-flag`. Pure: parseArgs validates what it can without I/O; configFromFlags (src/config/flags.ts) does the rest.

import { type SentinelError, usageError } from './errors.ts';
import { checkConnectUrl } from './config/connect-url.ts';
import { parseListenAddress } from './config/listen-address.ts';
import { PASSWORD_ENV, type CliOptions, type ConnectFlags } from './config/flags.ts';
import { DEFAULT_LISTEN_ADDRESS, LOG_LEVELS, type LogLevel } from './config/schema.ts';
import { suggestKey } from './config/zod-issues.ts';

export type ParsedArgs = CliOptions | { help: true } | { version: true };


type FlagKind = 'string' | 'boolean' | 'list';

interface FlagSpec {
  kind: FlagKind;
  help: string;
  placeholder?: string;
}

const FLAGS = {
  'config.file': { kind: 'string', placeholder: 'PATH', help: 'YAML configuration file (see docs/configuration.md).' },
  'config.check': {
    kind: 'boolean',
    help: 'Validate the configuration and the files it names, then exit (0 valid, 1 invalid).',
  },
  'connect.url': {
    kind: 'list',
    placeholder: 'URL',
    help: 'Kafka Connect worker URL, for a single cluster without a config file. Repeat or comma-separate for several workers.',
  },
  'connect.name': {
    kind: 'string',
    placeholder: 'NAME',
    help: "The cluster's name (the connect_cluster label). Default: default.",
  },
  'connect.username': {
    kind: 'string',
    placeholder: 'USER',
    help: `Basic auth user; the password comes from $${PASSWORD_ENV} or --connect.password-file.`,
  },
  'connect.password-file': { kind: 'string', placeholder: 'PATH', help: 'File holding the basic auth password.' },
  'connect.bearer-token-file': { kind: 'string', placeholder: 'PATH', help: 'File holding a bearer token for Kafka Connect.' },
  'connect.tls.ca-file': { kind: 'string', placeholder: 'PATH', help: "PEM CA bundle to verify Kafka Connect's certificate." },
  'connect.tls.insecure-skip-verify': { kind: 'boolean', help: "Do not verify Kafka Connect's certificate." },
  'web.listen-address': {
    kind: 'string',
    placeholder: 'ADDR',
    help: `Address to listen on (host:port, [::1]:port or :port). Default: ${DEFAULT_LISTEN_ADDRESS}.`,
  },
  'data.dir': { kind: 'string', placeholder: 'PATH', help: 'Directory for restart history and state clocks. Default: ./data.' },
  'log.level': { kind: 'string', placeholder: 'LEVEL', help: `One of ${LOG_LEVELS.join(', ')}. Default: info.` },
  'restart.enabled': { kind: 'boolean', help: 'Restart failed connectors and tasks by policy (off by default).' },
  'restart.dry-run': { kind: 'boolean', help: 'Decide and report restarts, but send none.' },
  demo: { kind: 'boolean', help: 'Watch simulated Kafka Connect clusters, for a tour without a real cluster.' },
  help: { kind: 'boolean', help: 'Show this help and exit.' },
  version: { kind: 'boolean', help: 'Show the version and exit.' },
} as const satisfies Record<string, FlagSpec>;

type FlagName = keyof typeof FLAGS;
const FLAG_NAMES = Object.keys(FLAGS) as FlagName[];
const CONNECT_FLAGS = FLAG_NAMES.filter((name) => name.startsWith('connect.'));

function isFlagName(name: string): name is FlagName {
  return Object.hasOwn(FLAGS, name);
}

function unknownFlag(name: string): SentinelError {
  const suggestion = suggestKey(name, FLAG_NAMES);
  return usageError(`unknown flag --${name}${suggestion === undefined ? '' : ` (did you mean --${suggestion}?)`}`);
}

function parseBoolean(name: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw usageError(`--${name} takes true or false, got ${JSON.stringify(value)}`);
}

type FlagValues = Partial<Record<FlagName, string | boolean | string[]>>;

/** Splits argv into flag values; knows flag syntax, not meaning. */
function scan(argv: readonly string[]): FlagValues {
  const values: FlagValues = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h') {
      values.help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') throw usageError(`unexpected argument ${JSON.stringify(arg)}`);
    const equals = arg.indexOf('=');
    let name = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
    let inline = equals < 0 ? undefined : arg.slice(equals + 1);
    if (!isFlagName(name) && name.startsWith('no-') && inline === undefined) {
      const positive = name.slice(3);
      if (isFlagName(positive) && FLAGS[positive].kind === 'boolean') {
        name = positive;
        inline = 'false';
      }
    }
    if (!isFlagName(name)) throw unknownFlag(name);
    const spec: FlagSpec = FLAGS[name];
    if (spec.kind !== 'list' && values[name] !== undefined) throw usageError(`--${name} is given more than once`);
    if (spec.kind === 'boolean') {
      values[name] = inline === undefined ? true : parseBoolean(name, inline);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw usageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    if (spec.kind === 'list') {
      const previous = values[name];
      values[name] = [...(Array.isArray(previous) ? previous : []), value];
    } else {
      values[name] = value;
    }
  }
  return values;
}

function stringFlag(values: FlagValues, name: FlagName): string | undefined {
  const value = values[name];
  if (typeof value !== 'string') return undefined;
  if (value === '') throw usageError(`--${name} must not be empty`);
  return value;
}

function connectUrls(values: string[]): string[] {
  const urls = values.flatMap((value) => value.split(',')).map((url) => url.trim());
  for (const url of urls) {
    if (url === '') throw usageError('--connect.url has an empty URL');
    const check = checkConnectUrl(url);
    if (!check.ok) throw usageError(`--connect.url: ${check.message}`);
  }
  return urls;
}

function parseLogLevel(value: string | undefined): LogLevel | undefined {
  if (value === undefined) return undefined;
  const level = LOG_LEVELS.find((candidate) => candidate === value);
  if (level === undefined) {
    throw usageError(`--log.level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return level;
}

function parseListenFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    parseListenAddress(value);
  } catch (err) {
    throw usageError(`--web.listen-address: ${(err as Error).message}`);
  }
  return value;
}

function connectFlags(values: FlagValues): ConnectFlags | undefined {
  const given = CONNECT_FLAGS.filter((name) => values[name] !== undefined);
  const urls = values['connect.url'];
  if (!Array.isArray(urls)) {
    const first = given[0];
    if (first !== undefined) throw usageError(`--${first} needs --connect.url`);
    return undefined;
  }
  const flags: ConnectFlags = {
    urls: connectUrls(urls),
    name: stringFlag(values, 'connect.name') ?? 'default',
    username: stringFlag(values, 'connect.username'),
    passwordFile: stringFlag(values, 'connect.password-file'),
    bearerTokenFile: stringFlag(values, 'connect.bearer-token-file'),
    tlsCaFile: stringFlag(values, 'connect.tls.ca-file'),
    tlsInsecureSkipVerify: values['connect.tls.insecure-skip-verify'] === true,
  };
  if (flags.passwordFile !== undefined && flags.username === undefined) {
    throw usageError('--connect.password-file needs --connect.username');
  }
  if (flags.username !== undefined && flags.bearerTokenFile !== undefined) {
    throw usageError('set either --connect.username or --connect.bearer-token-file, not both');
  }
  return flags;
}

/** Parses the arguments after the program name. Throws CS_ERR_CLI_USAGE. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values = scan(argv);
  if (values.help === true) return { help: true };
  if (values.version === true) return { version: true };
  const configFile = stringFlag(values, 'config.file');
  const demo = values.demo === true;
  const connect = connectFlags(values);
  if (configFile !== undefined && connect !== undefined) {
    throw usageError('--config.file and --connect.url cannot be used together: put the cluster in the config file');
  }
  if (demo && (configFile !== undefined || connect !== undefined)) {
    throw usageError('--demo brings its own clusters: leave out --config.file and --connect.url');
  }
  if (!demo && configFile === undefined && connect === undefined) {
    throw usageError('set --config.file, or --connect.url for a single cluster');
  }
  const restartEnabled = values['restart.enabled'];
  const restartDryRun = values['restart.dry-run'];
  return {
    configFile,
    configCheck: values['config.check'] === true,
    connect,
    demo,
    overrides: {
      listenAddress: parseListenFlag(stringFlag(values, 'web.listen-address')),
      dataDir: stringFlag(values, 'data.dir'),
      logLevel: parseLogLevel(stringFlag(values, 'log.level')),
      restartEnabled: typeof restartEnabled === 'boolean' ? restartEnabled : undefined,
      restartDryRun: typeof restartDryRun === 'boolean' ? restartDryRun : undefined,
    },
  };
}

/** The --help text. */
export function usage(): string {
  const rows = FLAG_NAMES.map((name) => {
    const spec: FlagSpec = FLAGS[name];
    const left = spec.placeholder === undefined ? `--${name}` : `--${name}=${spec.placeholder}`;
    return [left, spec.help] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    'usage: connect-sentinel (--config.file=PATH | --connect.url=URL... | --demo) [flags]',
    '',
    'Watches Kafka Connect clusters, exports connector and task state to Prometheus,',
    'and restarts failed connectors and tasks by policy.',
    '',
    'Flags:',
    ...rows.map(([left, help]) => `  ${left.padEnd(width)}${help}`),
    '',
    'Booleans also take --flag=false and --no-flag. SIGHUP or POST /-/reload reloads the config file.',
    '',
  ].join('\n');
}
