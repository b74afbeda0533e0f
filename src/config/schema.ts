// The configuration file's schema (strict: unknown keys are errors; defaults applied here) and the Config type the
// rest of connect-sentinel reads. The schema describes the file; `Config` is what loading makes of it, with secret
// and TLS files read and relative paths resolved (see resolve.ts).

import { z } from 'zod';
import { restartSectionSchema, type RestartSection } from './restart-section.ts';
import { globSchema } from './glob.ts';
import type { ConnectorSelection } from './connector-filter.ts';
import { checkConnectUrl } from './connect-url.ts';
import { durationAtLeast, formatDuration, parseSize, sizeSchema } from './duration.ts';
import { parseListenAddress } from './listen-address.ts';
import type { Secret } from './secret.ts';
import { quote } from './quote.ts';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_LISTEN_ADDRESS = ':9843';
export const DEFAULT_DATA_DIR = './data';
const DEFAULT_TIMEOUT_MS = 10_000;
const CLUSTER_NAME_MAX = 128;
const MAX_RESPONSE_SIZE_LIMIT = parseSize('512MiB');
const MAX_EXPOSITION_SIZE_LIMIT = parseSize('1GiB');
const MAX_COUNT_LIMIT = 10_000_000;

function sizeBetween(minimum: number, maximum: number) {
  return sizeSchema
    .refine((bytes) => bytes >= minimum, `must be at least ${minimum} bytes`)
    .refine((bytes) => bytes <= maximum, `must be at most ${maximum} bytes`);
}

function countBetween(minimum: number, maximum: number) {
  return z.number().int().min(minimum).max(maximum);
}

const filePathSchema = z.string().min(1);

const basicAuthSchema = z
  .strictObject({
    username: z
      .string()
      .min(1)
      .refine((name) => !name.includes(':'), 'must not contain ":" (HTTP basic auth cannot carry it)'),
    password: z.string().min(1).optional(),
    passwordFile: filePathSchema.optional(),
  })
  .superRefine((auth, ctx) => {
    if (auth.password !== undefined && auth.passwordFile !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'set either password or passwordFile, not both' });
    } else if (auth.password === undefined && auth.passwordFile === undefined) {
      ctx.addIssue({ code: 'custom', message: 'set password or passwordFile' });
    }
  });

const clusterTlsSchema = z
  .strictObject({
    caFile: filePathSchema.optional(),
    certFile: filePathSchema.optional(),
    keyFile: filePathSchema.optional(),
    insecureSkipVerify: z.boolean().default(false),
    serverName: z.string().min(1).optional(),
  })
  .superRefine((tls, ctx) => {
    if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set certFile and keyFile together' });
    }
  });

/** One URL or a list of them (one per worker), checked and without trailing slashes. */
const workerUrlsSchema = z.unknown().transform((value, ctx): string[] => {
  if (value === undefined) {
    ctx.issues.push({ code: 'custom', message: 'required', input: value });
    return z.NEVER;
  }
  const isList = Array.isArray(value);
  const items: unknown[] = isList ? value : [value];
  if (items.length === 0) {
    ctx.issues.push({ code: 'custom', message: 'must list at least one URL', input: value });
    return z.NEVER;
  }
  const urls: string[] = [];
  const firstIndex = new Map<string, number>();
  items.forEach((item, i) => {
    const path = isList ? [i] : [];
    if (typeof item !== 'string') {
      const message = isList ? 'expected a URL' : 'expected a URL or a list of URLs';
      ctx.issues.push({ code: 'custom', message, input: item, path });
      return;
    }
    const check = checkConnectUrl(item);
    if (!check.ok) {
      ctx.issues.push({ code: 'custom', message: check.message, input: item, path });
      return;
    }
    const first = firstIndex.get(check.url);
    if (first !== undefined) {
      ctx.issues.push({ code: 'custom', message: `duplicate of url[${first}]`, input: item, path });
      return;
    }
    firstIndex.set(check.url, i);
    urls.push(check.url);
  });
  return urls;
});

// eslint-disable-next-line no-control-regex
const hasNoControlCharacters = (name: string) => !/[\u0000-\u001f\u007f-\u009f]/.test(name);

const clusterNameSchema = z
  .string()
  .min(1)
  .max(CLUSTER_NAME_MAX)
  .refine(hasNoControlCharacters, 'must not contain control characters')
  // The name is a path segment of the status API and of restart target keys.
  .refine((name) => !name.includes('/'), 'must not contain "/"');

const connectorSelectionSchema = z
  .strictObject({
    include: z.array(globSchema).min(1).default(['*']),
    exclude: z.array(globSchema).default([]),
  })
  .prefault({});

const clusterSchema = z
  .strictObject({
    name: clusterNameSchema,
    url: workerUrlsSchema,
    basicAuth: basicAuthSchema.optional(),
    bearerTokenFile: filePathSchema.optional(),
    tls: clusterTlsSchema.optional(),
    pollInterval: durationAtLeast(1000).default(15_000),
    timeout: durationAtLeast(1).optional(),
    maxResponseSize: sizeBetween(1024, MAX_RESPONSE_SIZE_LIMIT).default(parseSize('64MiB')),
    maxConnectors: countBetween(1, MAX_COUNT_LIMIT).default(20_000),
    maxTasks: countBetween(1, MAX_COUNT_LIMIT).default(100_000),
    maxExpositionSize: sizeBetween(64 * 1024, MAX_EXPOSITION_SIZE_LIMIT).default(parseSize('128MiB')),
    connectors: connectorSelectionSchema,
    pluginsInterval: durationAtLeast(1000).default(600_000),
  })
  .superRefine((cluster, ctx) => {
    if (cluster.basicAuth !== undefined && cluster.bearerTokenFile !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'set either basicAuth or bearerTokenFile, not both' });
    }
    if (cluster.timeout !== undefined && cluster.timeout > cluster.pollInterval) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeout'],
        message: `must not exceed pollInterval (${formatDuration(cluster.pollInterval)})`,
      });
    }
    const usesHttps = Array.isArray(cluster.url) && cluster.url.some((url) => url.startsWith('https:'));
    if (cluster.tls !== undefined && !usesHttps) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'is set, but no url uses https' });
    }
  })
  // A poll must end before the next one starts, so the timeout never exceeds the interval.
  .transform(({ timeout, ...cluster }) => ({
    ...cluster,
    timeout: timeout ?? Math.min(DEFAULT_TIMEOUT_MS, cluster.pollInterval),
  }));

const clustersSchema = z.array(clusterSchema).min(1).superRefine((clusters, ctx) => {
  const firstIndex = new Map<string, number>();
  clusters.forEach((cluster, i) => {
    const first = firstIndex.get(cluster.name);
    if (first === undefined) {
      firstIndex.set(cluster.name, i);
      return;
    }
    const message = `duplicate cluster name ${quote(cluster.name)} (also clusters[${first}])`;
    ctx.addIssue({ code: 'custom', path: [i, 'name'], message });
  });
});

const listenAddressSchema = z.string().transform((text, ctx) => {
  try {
    return { listenAddress: text, ...parseListenAddress(text) };
  } catch (err) {
    ctx.issues.push({ code: 'custom', message: (err as Error).message, input: text });
    return z.NEVER;
  }
});

const webSchema = z
  .strictObject({
    listenAddress: listenAddressSchema.prefault(DEFAULT_LISTEN_ADDRESS),
    tls: z
      .strictObject({ certFile: filePathSchema, keyFile: filePathSchema, clientCaFile: filePathSchema.optional() })
      .optional(),
    basicAuth: basicAuthSchema.optional(),
    bearerTokenFile: filePathSchema.optional(),
    maxRequestBodySize: sizeBetween(1024, MAX_RESPONSE_SIZE_LIMIT).default(parseSize('64KiB')),
  })
  .prefault({});

/** `host:port`, as Kafka's bootstrap.servers lists them; an IPv6 host in brackets. */
const bootstrapServerSchema = z
  .string()
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$/, 'must be host:port')
  .refine((server) => {
    const port = Number(server.slice(server.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65_535;
  }, 'port must be 1 to 65535');

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** Kafka's own rules for a topic name; a group id may be any non-empty string, kept printable here. */
const topicNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be 1 to 249 of A-Z a-z 0-9 . _ -')
  .refine((name) => name !== '.' && name !== '..', 'must not be "." or ".."');

const haSchema = z
  .strictObject({
    bootstrapServers: z.array(bootstrapServerSchema).min(1),
    tls: clusterTlsSchema.optional(),
    sasl: z
      .strictObject({
        mechanism: z.enum(SASL_MECHANISMS),
        username: z.string().min(1),
        password: z.string().min(1).optional(),
        passwordFile: filePathSchema.optional(),
      })
      .superRefine((sasl, ctx) => {
        if ((sasl.password === undefined) === (sasl.passwordFile === undefined)) {
          ctx.addIssue({ code: 'custom', message: 'set either password or passwordFile' });
        }
      })
      .optional(),
    group: z
      .string()
      .min(1)
      .max(255)
      .refine(hasNoControlCharacters, 'must not contain control characters')
      .default('connect-sentinel'),
    topic: topicNameSchema.default('connect-sentinel-history'),
    /** Kafka's group.min.session.timeout.ms (6 s by default) and max (30 min) bound what a broker accepts. */
    sessionTimeout: durationAtLeast(1000).default(10_000),
    /** Of the history topic, when connect-sentinel creates it; default: the broker's default.replication.factor. */
    replicationFactor: countBetween(1, 32).optional(),
  });

export const configSchema = z.strictObject({
  clusters: clustersSchema,
  web: webSchema,
  api: z.strictObject({ tokenFile: filePathSchema.optional() }).prefault({}),
  dataDir: z.string().min(1).optional(),
  metrics: z
    .strictObject({ dropZeroStates: z.boolean().default(false), processMetrics: z.boolean().default(true) })
    .prefault({}),
  log: z.strictObject({ level: z.enum(LOG_LEVELS).default('info') }).prefault({}),
  restart: restartSectionSchema,
  ha: haSchema.optional(),
});

/** What the file says, validated and defaulted: file paths not yet read. */
export type ConfigSpec = z.output<typeof configSchema>;

// ---- The loaded configuration. Durations are milliseconds, sizes bytes, file paths absolute. ----

export interface BasicAuthCredentials {
  readonly username: string;
  readonly password: Secret;
}

export interface ClusterTls {
  /** PEM CA bundle to trust instead of the system roots. */
  readonly ca: string | undefined;
  /** PEM client certificate and its key, for mutual TLS. */
  readonly cert: string | undefined;
  readonly key: Secret | undefined;
  readonly insecureSkipVerify: boolean;
  readonly serverName: string | undefined;
}

/** The PEM material of a client TLS setting, secrets revealed, for the socket that uses it. */
export function tlsMaterial(tls: ClusterTls): { ca?: string; cert?: string; key?: string } {
  return {
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key.reveal() }),
  };
}

export interface ClusterConfig {
  /** The `connect_cluster` label. */
  readonly name: string;
  /** One per worker, without trailing slash; tried in order. */
  readonly urls: readonly string[];
  readonly basicAuth: BasicAuthCredentials | undefined;
  readonly bearerToken: Secret | undefined;
  readonly tls: ClusterTls | undefined;
  readonly pollInterval: number;
  /** Per request; never more than pollInterval. */
  readonly timeout: number;
  readonly maxResponseSize: number;
  /** Connectors and tasks a poll may hold; past either the poll is refused (reason `limit`). */
  readonly maxConnectors: number;
  readonly maxTasks: number;
  /** Bytes of this cluster's per-poll series; past it the poll is refused (reason `limit`). */
  readonly maxExpositionSize: number;
  readonly connectors: ConnectorSelection;
  readonly pluginsInterval: number;
}

export interface WebTls {
  readonly cert: string;
  readonly key: Secret;
  /** When set, clients must present a certificate signed by it. */
  readonly clientCa: string | undefined;
}

export interface WebConfig {
  /** As written, for log lines. */
  readonly listenAddress: string;
  /** undefined: every interface. */
  readonly host: string | undefined;
  readonly port: number;
  readonly tls: WebTls | undefined;
  /** Protect every endpoint but /-/healthy and /-/ready; either or both may be set. */
  readonly basicAuth: BasicAuthCredentials | undefined;
  readonly bearerToken: Secret | undefined;
  readonly maxRequestBodySize: number;
}

export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** Replicas coordinated through Kafka (docs/high-availability.md). */
export interface HaConfig {
  readonly bootstrapServers: readonly string[];
  readonly tls: ClusterTls | undefined;
  readonly sasl: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: Secret } | undefined;
  /** The consumer group whose member assigned the topic's one partition leads. */
  readonly group: string;
  /** Compacted, one partition: the shared restart history, and the fencing of old leaders. */
  readonly topic: string;
  readonly sessionTimeout: number;
  readonly replicationFactor: number | undefined;
}

export interface Config {
  readonly clusters: readonly ClusterConfig[];
  readonly web: WebConfig;
  /** Without a token, the write actions of /api/v1 are refused. */
  readonly api: { readonly token: Secret | undefined };
  /** Where restart history lives; relative paths are relative to the working directory. */
  readonly dataDir: string;
  readonly metrics: { readonly dropZeroStates: boolean; readonly processMetrics: boolean };
  readonly log: { readonly level: LogLevel };
  /** Auto-restart policy (src/config/restart-section.ts); off unless `restart.enabled`. */
  readonly restart: DeepReadonly<RestartSection>;
  /** Absent: one instance, with the history file and its lock in dataDir. */
  readonly ha: HaConfig | undefined;
}

export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer Item)[]
    ? readonly DeepReadonly<Item>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;
