// A single-cluster config from --connect.* flags, built by the same schema and loader as a file, so flags and files
// cannot drift apart. Problems are reported under the flag's name.

import { usageError } from '../errors.ts';
import type { Env } from './env.ts';
import { isWithin, type KeyPath } from './issues.ts';
import { buildConfig, formatIssues, toLoadedConfig, type ConfigOverrides, type LoadedConfig } from './load.ts';
import type { ReadFile } from './resolve.ts';

/** One cluster described by flags instead of a file. */
export interface ConnectFlags {
  urls: string[];
  name: string;
  username: string | undefined;
  passwordFile: string | undefined;
  bearerTokenFile: string | undefined;
  tlsCaFile: string | undefined;
  tlsInsecureSkipVerify: boolean;
}

export interface CliOptions {
  configFile: string | undefined;
  /** Validate the configuration (and the files it names), then exit. */
  configCheck: boolean;
  /** Set when the cluster comes from --connect.* flags; never together with configFile. */
  connect: ConnectFlags | undefined;
  /** Watch built-in simulated clusters. */
  demo: boolean;
  /** Flags that replace the matching config values, whether the config comes from a file or from flags. */
  overrides: ConfigOverrides;
}

/** Read by configFromFlags for --connect.username, so the password never shows in `ps`. */
export const PASSWORD_ENV = 'CONNECT_SENTINEL_PASSWORD';

const SOURCE = 'command line';

// Longest prefix first: the most specific flag names the problem.
const FLAG_FOR_PATH: ReadonlyArray<readonly [KeyPath, string]> = [
  [['clusters', 0, 'basicAuth', 'passwordFile'], '--connect.password-file'],
  [['clusters', 0, 'basicAuth', 'password'], PASSWORD_ENV],
  [['clusters', 0, 'basicAuth', 'username'], '--connect.username'],
  [['clusters', 0, 'tls', 'caFile'], '--connect.tls.ca-file'],
  [['clusters', 0, 'tls'], '--connect.tls.*'],
  [['clusters', 0, 'bearerTokenFile'], '--connect.bearer-token-file'],
  [['clusters', 0, 'url'], '--connect.url'],
  [['clusters', 0, 'name'], '--connect.name'],
  [['web', 'listenAddress'], '--web.listen-address'],
  [['log', 'level'], '--log.level'],
  [['restart', 'enabled'], '--restart.enabled'],
  [['restart', 'dryRun'], '--restart.dry-run'],
];

function flagFor(path: KeyPath): string | undefined {
  return FLAG_FOR_PATH.find(([prefix]) => isWithin(path, prefix))?.[1];
}

function clusterTree(connect: ConnectFlags, password: string | undefined): Record<string, unknown> {
  const cluster: Record<string, unknown> = { name: connect.name, url: connect.urls };
  if (connect.username !== undefined) {
    cluster.basicAuth = password === undefined
      ? { username: connect.username, passwordFile: connect.passwordFile }
      : { username: connect.username, password };
  }
  if (connect.bearerTokenFile !== undefined) cluster.bearerTokenFile = connect.bearerTokenFile;
  if (connect.tlsCaFile !== undefined || connect.tlsInsecureSkipVerify) {
    const tls: Record<string, unknown> = { insecureSkipVerify: connect.tlsInsecureSkipVerify };
    if (connect.tlsCaFile !== undefined) tls.caFile = connect.tlsCaFile;
    cluster.tls = tls;
  }
  return { clusters: [cluster] };
}

function passwordFrom(connect: ConnectFlags, env: Env): string | undefined {
  const password = env[PASSWORD_ENV];
  if (connect.username === undefined) {
    if (password !== undefined) throw usageError(`${PASSWORD_ENV} is set, but --connect.username is not`);
    return undefined;
  }
  if (password !== undefined && connect.passwordFile !== undefined) {
    throw usageError(`set either ${PASSWORD_ENV} or --connect.password-file, not both`);
  }
  if (password === undefined && connect.passwordFile === undefined) {
    throw usageError(`--connect.username needs a password: set ${PASSWORD_ENV} or --connect.password-file`);
  }
  return password;
}

/**
 * Builds the config of a single cluster from --connect.* flags (plus the override flags). Relative paths resolve
 * against `cwd`. Throws CS_ERR_CLI_USAGE naming the flag at fault.
 */
export async function configFromFlags(
  options: CliOptions,
  env: Env = process.env,
  deps: { cwd?: string; readFile?: ReadFile } = {},
): Promise<LoadedConfig> {
  const { connect } = options;
  if (connect === undefined) throw usageError('--connect.url is required to configure a cluster with flags');
  const password = passwordFrom(connect, env);
  const tree = clusterTree(connect, password);
  const { config, fileContents } = await buildConfig(tree, {
    baseDir: deps.cwd ?? process.cwd(),
    readFile: deps.readFile,
    overrides: options.overrides,
    expandEnv: false,
    code: 'CS_ERR_CLI_USAGE',
    format: (issues) => formatIssues(SOURCE, issues, flagFor),
  });
  // The hashed text leaves the password out: sha256 may be shown; the digest alone covers the password.
  const text = JSON.stringify({ ...clusterTree(connect, undefined), overrides: options.overrides });
  return toLoadedConfig(config, text, password === undefined ? fileContents : [password, ...fileContents]);
}
