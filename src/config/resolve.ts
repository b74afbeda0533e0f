// Turns a validated spec into the Config: reads secret and TLS files (relative paths against the config file's
// directory), wraps secrets, and freezes the result. Every unreadable file is reported with its key path.

import { resolve as resolvePath } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { ConfigIssue, KeyPath } from './issues.ts';
import {
  DEFAULT_DATA_DIR,
  type BasicAuthCredentials,
  type ClusterConfig,
  type ClusterTls,
  type Config,
  type HaConfig,
  type ConfigSpec,
} from './schema.ts';
import { Secret } from './secret.ts';

/** Reads a whole file as UTF-8; rejects with a Node.js system error (its `code` names the reason). */
export type ReadFile = (path: string) => Promise<string>;

export interface ResolveOptions {
  baseDir: string;
  readFile: ReadFile;
}

export interface Resolved {
  config: Config;
  /** Every file read, in a stable order, so a reload can tell whether anything changed. */
  fileContents: string[];
}

type FileKind = 'secret' | 'certificate' | 'private key';

const PEM_MARKERS: Record<Exclude<FileKind, 'secret'>, RegExp> = {
  certificate: /-----BEGIN CERTIFICATE-----/,
  'private key': /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/,
};

/**
 * Loads a certificate and key exactly as the HTTPS server will at start, so that a check that passes means a start
 * that does. Says OpenSSL's reason (e.g. "key values mismatch"), which names no key material.
 */
function keyPairProblem(cert: string, key: Secret): string | undefined {
  try {
    createSecureContext({ cert, key: key.reveal() });
    return undefined;
  } catch (err) {
    const { reason, code } = err as { reason?: unknown; code?: unknown };
    const why = typeof reason === 'string' ? reason : typeof code === 'string' ? code : 'not a usable key';
    return `does not load as a key pair with the certificate: ${why}`;
  }
}

/** The OS reason a read failed (`ENOENT`, `EACCES`, …); never the error's message, which may quote content. */
export function readFailureReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'read failed';
}

class FileReader {
  readonly issues: ConfigIssue[] = [];
  readonly contents: string[] = [];
  readonly #options: ResolveOptions;

  constructor(options: ResolveOptions) {
    this.#options = options;
  }

  async read(file: string, path: KeyPath, kind: FileKind): Promise<string | undefined> {
    const absolute = resolvePath(this.#options.baseDir, file);
    let text: string;
    try {
      text = await this.#options.readFile(absolute);
    } catch (err) {
      this.issues.push({ path, message: `cannot read ${JSON.stringify(absolute)}: ${readFailureReason(err)}` });
      return undefined;
    }
    this.contents.push(text);
    if (kind === 'secret') {
      // Editors and `echo` add a final newline that is never part of the secret.
      const secret = text.replace(/[\r\n]+$/, '');
      if (secret === '') this.issues.push({ path, message: `${JSON.stringify(absolute)} is empty` });
      return secret;
    }
    if (!PEM_MARKERS[kind].test(text)) {
      this.issues.push({ path, message: `${JSON.stringify(absolute)} holds no PEM ${kind}` });
    }
    return text;
  }

  async secret(file: string | undefined, path: KeyPath): Promise<Secret | undefined> {
    if (file === undefined) return undefined;
    const value = await this.read(file, path, 'secret');
    return value === undefined ? undefined : new Secret(value);
  }

  /** A username with its password, inline or from its file (basic auth, SASL). */
  async credentials(
    auth: { username: string; password?: string | undefined; passwordFile?: string | undefined } | undefined,
    path: KeyPath,
  ): Promise<BasicAuthCredentials | undefined> {
    if (auth === undefined) return undefined;
    const password =
      auth.password === undefined
        ? await this.secret(auth.passwordFile, [...path, 'passwordFile'])
        : new Secret(auth.password);
    return { username: auth.username, password: password ?? new Secret('') };
  }
}

type TlsSpec = NonNullable<ConfigSpec['clusters'][number]['tls']>;

async function resolveClientTls(tls: TlsSpec | undefined, path: KeyPath, files: FileReader): Promise<ClusterTls | undefined> {
  const certificate = (file: string | undefined, key: string) =>
    file === undefined ? undefined : files.read(file, [...path, 'tls', key], 'certificate');
  const clientTls =
    tls === undefined
      ? undefined
      : {
          ca: await certificate(tls.caFile, 'caFile'),
          cert: await certificate(tls.certFile, 'certFile'),
          key: await secretPem(files, tls.keyFile, [...path, 'tls', 'keyFile']),
          insecureSkipVerify: tls.insecureSkipVerify,
          serverName: tls.serverName,
        };
  if (clientTls?.cert !== undefined && clientTls.key !== undefined) {
    const problem = keyPairProblem(clientTls.cert, clientTls.key);
    if (problem !== undefined) files.issues.push({ path: [...path, 'tls', 'keyFile'], message: problem });
  }
  return clientTls;
}

async function resolveCluster(
  cluster: ConfigSpec['clusters'][number],
  index: number,
  files: FileReader,
): Promise<ClusterConfig> {
  const path = ['clusters', index];
  const clientTls = await resolveClientTls(cluster.tls, path, files);
  return {
    name: cluster.name,
    urls: cluster.url,
    basicAuth: await files.credentials(cluster.basicAuth, [...path, 'basicAuth']),
    bearerToken: await files.secret(cluster.bearerTokenFile, [...path, 'bearerTokenFile']),
    tls: clientTls,
    pollInterval: cluster.pollInterval,
    timeout: cluster.timeout,
    maxResponseSize: cluster.maxResponseSize,
    maxConnectors: cluster.maxConnectors,
    maxTasks: cluster.maxTasks,
    maxExpositionSize: cluster.maxExpositionSize,
    connectors: cluster.connectors,
    pluginsInterval: cluster.pluginsInterval,
  };
}

async function secretPem(files: FileReader, file: string | undefined, path: KeyPath): Promise<Secret | undefined> {
  if (file === undefined) return undefined;
  const pem = await files.read(file, path, 'private key');
  return pem === undefined ? undefined : new Secret(pem);
}

async function resolveHa(ha: ConfigSpec['ha'], files: FileReader): Promise<HaConfig | undefined> {
  if (ha === undefined) return undefined;
  const credentials = await files.credentials(ha.sasl, ['ha', 'sasl']);
  return {
    bootstrapServers: ha.bootstrapServers,
    tls: await resolveClientTls(ha.tls, ['ha'], files),
    sasl: ha.sasl === undefined || credentials === undefined ? undefined : { mechanism: ha.sasl.mechanism, ...credentials },
    group: ha.group,
    topic: ha.topic,
    sessionTimeout: ha.sessionTimeout,
    replicationFactor: ha.replicationFactor,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Reads the files a spec names. Files are read one after another so problems come out in key order. When there
 * are issues the config is incomplete (empty placeholders stand in for unreadable files) and must be discarded.
 */
export async function resolveConfig(
  spec: ConfigSpec,
  options: ResolveOptions,
): Promise<{ resolved: Resolved; issues: ConfigIssue[] }> {
  const files = new FileReader(options);
  const clusters: ClusterConfig[] = [];
  for (const [i, cluster] of spec.clusters.entries()) clusters.push(await resolveCluster(cluster, i, files));
  const { web } = spec;
  const webTls =
    web.tls === undefined
      ? undefined
      : {
          cert: (await files.read(web.tls.certFile, ['web', 'tls', 'certFile'], 'certificate')) ?? '',
          key: (await secretPem(files, web.tls.keyFile, ['web', 'tls', 'keyFile'])) ?? new Secret(''),
          clientCa:
            web.tls.clientCaFile === undefined
              ? undefined
              : await files.read(web.tls.clientCaFile, ['web', 'tls', 'clientCaFile'], 'certificate'),
        };
  if (webTls !== undefined && webTls.cert !== '' && webTls.key.reveal() !== '') {
    const problem = keyPairProblem(webTls.cert, webTls.key);
    if (problem !== undefined) files.issues.push({ path: ['web', 'tls', 'keyFile'], message: problem });
  }
  const config: Config = {
    clusters,
    web: {
      listenAddress: web.listenAddress.listenAddress,
      host: web.listenAddress.host,
      port: web.listenAddress.port,
      tls: webTls,
      basicAuth: await files.credentials(web.basicAuth, ['web', 'basicAuth']),
      bearerToken: await files.secret(web.bearerTokenFile, ['web', 'bearerTokenFile']),
      maxRequestBodySize: web.maxRequestBodySize,
    },
    api: { token: await files.secret(spec.api.tokenFile, ['api', 'tokenFile']) },
    dataDir: spec.dataDir === undefined ? DEFAULT_DATA_DIR : resolvePath(options.baseDir, spec.dataDir),
    metrics: spec.metrics,
    log: spec.log,
    restart: spec.restart,
    ha: await resolveHa(spec.ha, files),
  };
  return { resolved: { config: deepFreeze(config), fileContents: files.contents }, issues: files.issues };
}
