// Real Apache Kafka on loopback for the tests, the demo and the benchmark: a single-node KRaft broker and Kafka Connect
// workers in distributed mode, each its own JVM with ports from the OS, configured as Charmed Kafka Connect is (REST
// basic auth through BasicAuthSecurityRestExtension with an `admin` user, an HTTPS listener) or on plain HTTP.
// Kafka comes from Maven Central through tools/kafka/pom.xml; the fault-injecting plugin is compiled with javac.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const run = promisify(execFile);
const HERE = fileURLToPath(new URL('.', import.meta.url));
const CACHE = fileURLToPath(new URL('../../.cache/kafka/', import.meta.url));

/** The versions the real-Kafka tier runs: what Charmed Kafka Connect ships (3.9), and the newest 4.x served whole. */
export const KAFKA_VERSIONS = ['3.9.1', '4.3.1'] as const;
/**
 * A version with KAFKA-13719 (3.0.0 to 3.0.2 and 3.1.0: a bulk restart with FAILED tasks on several workers starts
 * duplicates), for the test that connect-sentinel restarts its tasks one by one there.
 */
export const KAFKA_13719_VERSION = '3.1.0';
/** A version that leaves the status of a removed task behind (ghost tasks, fixed in 2.6), on ZooKeeper. */
export const GHOST_TASKS_VERSION = '2.5.0';
/**
 * Maven profiles (tools/kafka/pom.xml) per version: without connect-mirror where the Maven repository of these
 * machines does not serve it, and with log4j 1 where Connect's REST API needs its classes.
 */
/**
 * Maven flags of the versions that need some: no MirrorMaker 2 where these machines' repository does not serve it,
 * log4j 1 for 2.x's REST API, and Scala 2.12 before 2.4 (the first kafka_2.13).
 */
const MAVEN_FLAGS: Readonly<Record<string, readonly string[]>> = {
  '2.3.1': ['-P', '!mirror,log4j1', '-Dkafka.scala=2.12'],
  '2.4.0': ['-P', '!mirror,log4j1'],
  '2.5.0': ['-P', '!mirror,log4j1'],
  '3.1.0': ['-P', '!mirror'],
};

export interface KafkaInstall {
  version: string;
  /** Directory of every jar of this version (broker, Connect, plugins, logger). */
  lib: string;
  /** A plugin.path with the fault-injecting plugin. */
  pluginPath: string;
}

/** Fetches a Kafka version with Maven (cached in ~/.m2) and compiles the fault plugin against it, once per version. */
export async function installKafka(version: string): Promise<KafkaInstall> {
  const home = join(CACHE, version);
  const lib = join(home, 'lib');
  if (!existsSync(join(lib, '.complete'))) {
    await rm(lib, { recursive: true, force: true });
    await run('mvn', ['-q', '-B', '-f', join(HERE, 'pom.xml'), ...(MAVEN_FLAGS[version] ?? []), `-Dkafka.version=${version}`, 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`], {
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: Error & { stdout?: string }) => {
      throw new Error(`mvn could not fetch Kafka ${version} (is the Debian package maven installed?): ${err.stdout ?? err.message}`);
    });
    await writeFile(join(lib, '.complete'), '');
  }
  const source = join(HERE, 'fault-plugin');
  const sources = (await readdir(join(source, 'src'), { recursive: true })).filter((file) => file.endsWith('.java')).sort();
  const hash = createHash('sha256');
  for (const file of sources) hash.update(file).update(await readFile(join(source, 'src', file)));
  const pluginPath = join(home, `plugins-${hash.digest('hex').slice(0, 12)}`);
  if (!existsSync(join(pluginPath, '.complete'))) {
    const classes = join(pluginPath, 'fault-plugin');
    await rm(pluginPath, { recursive: true, force: true });
    await mkdir(classes, { recursive: true });
    await run('javac', ['-d', classes, '-cp', `${lib}/*`, ...sources.map((file) => join(source, 'src', file))]).catch((err: Error & { stderr?: string }) => {
      throw new Error(`javac could not compile the fault plugin (is openjdk-17-jdk-headless installed?): ${err.stderr ?? err.message}`);
    });
    await cp(join(source, 'resources'), classes, { recursive: true });
    await writeFile(join(pluginPath, '.complete'), '');
  }
  return { version, lib, pluginPath };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** A JVM whose output goes to its log file; stop() sends SIGTERM, then SIGKILL. */
export class JavaProcess {
  readonly name: string;
  readonly logFile: string;
  readonly #child: ChildProcess;
  readonly #log: WriteStream;
  #output = '';
  readonly #exited: Promise<void>;

  constructor(name: string, logFile: string, args: string[]) {
    this.name = name;
    this.logFile = logFile;
    this.#log = createWriteStream(logFile);
    this.#child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.#log.write(chunk);
      this.#output = (this.#output + chunk.toString('utf8')).slice(-200_000);
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    this.#exited = new Promise((resolve) => {
      this.#child.once('close', () => resolve());
      this.#child.once('error', (err) => {
        keep(Buffer.from(`could not start java: ${String(err)}\n`));
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  output(): string {
    return this.#output;
  }

  async stop(graceMs = 15_000): Promise<void> {
    if (this.running) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
      await this.#exited;
      clearTimeout(timer);
    }
    await new Promise((resolve) => this.#log.end(resolve));
  }

  /** SIGKILL, as a crashed machine. */
  async kill(): Promise<void> {
    if (this.running) this.#child.kill('SIGKILL');
    await this.#exited;
  }
}

const JVM_FLAGS = ['-Xms64m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

/** Waits for `check` to return a value; fails with `what` and the process output once `timeoutMs` passed. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, process?: JavaProcess): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (process && !process.running) throw new Error(`${process.name} exited while waiting for ${what}:\n${process.output().slice(-6000)}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline) {
      throw new Error(`no ${what} within ${timeoutMs} ms (${last})${process ? `\n${process.name}:\n${process.output().slice(-6000)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The one user of a KRaft broker's SASL/PLAIN listener (Broker.saslBootstrap). */
export const BROKER_SASL_USER = { username: 'sentinel', password: 'sentinel-kafka-secret-for-tests' } as const;

export interface Broker {
  bootstrap: string;
  /** A second listener that needs SASL/PLAIN as BROKER_SASL_USER (KRaft brokers only). */
  saslBootstrap?: string;
  process: JavaProcess;
  /** The ZooKeeper of a version before 3.0 (KRaft was early access in 2.8 only); stopped after the broker. */
  zookeeper?: JavaProcess;
}

/** Kafka before 3.0 runs with ZooKeeper here. */
function needsZooKeeper(version: string): boolean {
  return Number(version.split('.')[0]) < 3;
}

/** A ZooKeeper on loopback, for Kafka 2.x: the one shipped with that version (a dependency of kafka_2.13). */
async function startZooKeeper(install: KafkaInstall, dir: string): Promise<{ connect: string; process: JavaProcess }> {
  const port = await freePort();
  const config = join(dir, 'zookeeper.properties');
  await writeFile(config, [`dataDir=${join(dir, 'zookeeper-data')}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1', 'admin.enableServer=false', 'maxClientCnxns=0', ''].join('\n'));
  const process = new JavaProcess('zookeeper', join(dir, 'zookeeper.log'), [...JVM_FLAGS, '-cp', `${install.lib}/*`, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', config]);
  await waitFor('ZooKeeper to listen', async () => {
    if (!process.running) throw new Error('ZooKeeper exited');
    return (await canConnect(port)) ? true : undefined;
  }, 60_000, process);
  return { connect: `127.0.0.1:${port}`, process };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A Kafka cluster id: 16 random bytes in URL-safe base64, the only form Kafka 3.1 reads (later ones take a UUID too).
 * Never one that starts with `-`, which the storage tool would read as a flag (Kafka's own Uuid.randomUuid avoids it).
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * A single-node broker on loopback: KRaft (broker and controller in one process, its storage formatted first), or for
 * Kafka 2.x a broker registered in a ZooKeeper started for it.
 */
export async function startBroker(install: KafkaInstall, dir: string): Promise<Broker> {
  const port = await freePort();
  const zookeeper = needsZooKeeper(install.version) ? await startZooKeeper(install, dir) : undefined;
  const controllerPort = zookeeper === undefined ? await freePort() : undefined;
  const saslPort = zookeeper === undefined ? await freePort() : undefined;
  const { username, password } = BROKER_SASL_USER;
  const mode = zookeeper
    ? ['broker.id=1', `zookeeper.connect=${zookeeper.connect}`, `listeners=PLAINTEXT://127.0.0.1:${port}`]
    : [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
        'inter.broker.listener.name=PLAINTEXT',
        'sasl.enabled.mechanisms=PLAIN',
        `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${username}="${password}";`,
      ];
  const properties = [
    ...mode,
    `log.dirs=${join(dir, 'broker-data')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
  ].join('\n');
  const config = join(dir, 'broker.properties');
  await writeFile(config, `${properties}\n`);
  const classpath = `${install.lib}/*`;
  if (zookeeper === undefined) {
    await run('java', [...JVM_FLAGS, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', config], { maxBuffer: 4 * 1024 * 1024 }).catch(
      (err: Error & { stdout?: string; stderr?: string }) => {
        throw new Error(`formatting the KRaft storage failed: ${err.stdout ?? ''}${err.stderr ?? err.message}`);
      },
    );
  }
  const process = new JavaProcess('broker', join(dir, 'broker.log'), [...JVM_FLAGS, '-cp', classpath, 'kafka.Kafka', config]);
  try {
    // KRaft logs "Kafka Server started"; a ZooKeeper broker "[KafkaServer id=1] started".
    await waitFor('the broker to start', async () => (/Kafka Server started|\[KafkaServer id=1\] started/.test(process.output()) ? true : undefined), 120_000, process);
  } catch (err) {
    await process.stop();
    await zookeeper?.process.stop();
    throw err;
  }
  return {
    bootstrap: `127.0.0.1:${port}`,
    process,
    ...(saslPort === undefined ? {} : { saslBootstrap: `127.0.0.1:${saslPort}` }),
    ...(zookeeper ? { zookeeper: zookeeper.process } : {}),
  };
}

export interface ConnectTls {
  /** PEM of the certificate the workers serve (self-signed for 127.0.0.1): the CA a client trusts. */
  caPem: string;
  /** PEM of another self-signed certificate, which does not sign the workers'. */
  otherCaPem: string;
  keystore: string;
  truststore: string;
  password: string;
}

/** A PKCS12 keystore with a self-signed certificate for 127.0.0.1, made with the JDK's keytool, and its truststore. */
export async function makeConnectTls(dir: string): Promise<ConnectTls> {
  const password = randomBytes(12).toString('hex');
  const keytool = (...args: string[]) => run('keytool', args);
  const generate = (store: string) =>
    keytool('-genkeypair', '-alias', 'connect', '-keyalg', 'EC', '-groupname', 'secp256r1', '-dname', 'CN=127.0.0.1', '-ext', 'SAN=IP:127.0.0.1,DNS:localhost',
      '-validity', '7', '-keystore', store, '-storetype', 'PKCS12', '-storepass', password, '-keypass', password);
  const keystore = join(dir, 'connect.p12');
  const other = join(dir, 'other.p12');
  await generate(keystore);
  await generate(other);
  const exportPem = async (store: string, file: string) => {
    await keytool('-exportcert', '-rfc', '-alias', 'connect', '-keystore', store, '-storepass', password, '-file', file);
    return readFile(file, 'utf8');
  };
  const caPem = await exportPem(keystore, join(dir, 'ca.pem'));
  const otherCaPem = await exportPem(other, join(dir, 'other-ca.pem'));
  const truststore = join(dir, 'trust.p12');
  await keytool('-importcert', '-noprompt', '-alias', 'ca', '-file', join(dir, 'ca.pem'), '-keystore', truststore, '-storetype', 'PKCS12', '-storepass', password);
  return { caPem, otherCaPem, keystore, truststore, password };
}

export interface Worker {
  index: number;
  url: string;
  process: JavaProcess;
}

export interface ConnectClusterOptions {
  name: string;
  workers: number;
  /** Serve HTTPS with these stores; plain HTTP without. */
  tls?: ConnectTls;
  /** REST basic auth through BasicAuthSecurityRestExtension and PropertyFileLoginModule. */
  basicAuth?: { username: string; password: string };
  /** How long a lost worker's work waits before it is reassigned; Connect's default is 5 minutes. */
  rebalanceDelayMs?: number;
  /**
   * How long a worker's herder thread may go without polling the group before the worker leaves it (Connect's
   * `rebalance.timeout.ms`, default 60 s): longer for tests that block a herder past the REST timeout of 90 s.
   */
  rebalanceTimeoutMs?: number;
}

export interface ConnectCluster {
  name: string;
  workers: Worker[];
  options: ConnectClusterOptions;
  /** A request to the REST API of worker `index` (default the first that runs), with the cluster's auth and TLS. */
  rest(method: string, path: string, body?: unknown, index?: number): Promise<{ status: number; body: unknown; text: string }>;
  stop(): Promise<void>;
}

async function startWorker(install: KafkaInstall, broker: Broker, dir: string, options: ConnectClusterOptions, index: number): Promise<Worker> {
  const port = await freePort();
  const scheme = options.tls ? 'https' : 'http';
  const id = `${options.name}-${index}`;
  const lines = [
    `bootstrap.servers=${broker.bootstrap}`,
    `group.id=connect-${options.name}`,
    'key.converter=org.apache.kafka.connect.storage.StringConverter',
    'value.converter=org.apache.kafka.connect.storage.StringConverter',
    `offset.storage.topic=connect-${options.name}-offsets`,
    `config.storage.topic=connect-${options.name}-configs`,
    `status.storage.topic=connect-${options.name}-status`,
    'offset.storage.replication.factor=1',
    'config.storage.replication.factor=1',
    'status.storage.replication.factor=1',
    'offset.storage.partitions=1',
    'status.storage.partitions=1',
    'offset.flush.interval.ms=2000',
    `listeners=${scheme}://127.0.0.1:${port}`,
    'rest.advertised.host.name=127.0.0.1',
    `rest.advertised.port=${port}`,
    `rest.advertised.listener=${scheme}`,
    `plugin.path=${install.pluginPath}`,
    `scheduled.rebalance.max.delay.ms=${options.rebalanceDelayMs ?? 300_000}`,
    'heartbeat.interval.ms=1000',
    'session.timeout.ms=6000',
    'task.shutdown.graceful.timeout.ms=2000',
    ...(options.rebalanceTimeoutMs === undefined ? [] : [`rebalance.timeout.ms=${options.rebalanceTimeoutMs}`]),
  ];
  if (options.tls) {
    const { keystore, truststore, password } = options.tls;
    for (const prefix of ['listeners.https.', '']) {
      lines.push(
        `${prefix}ssl.keystore.location=${keystore}`,
        `${prefix}ssl.keystore.type=PKCS12`,
        `${prefix}ssl.keystore.password=${password}`,
        `${prefix}ssl.key.password=${password}`,
        `${prefix}ssl.truststore.location=${truststore}`,
        `${prefix}ssl.truststore.type=PKCS12`,
        `${prefix}ssl.truststore.password=${password}`,
      );
    }
  }
  const jvm = [...JVM_FLAGS];
  if (options.basicAuth) {
    lines.push('rest.extension.classes=org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension');
    const users = join(dir, `${options.name}-users.properties`);
    await writeFile(users, `${options.basicAuth.username}=${options.basicAuth.password}\n`);
    const jaas = join(dir, `${options.name}-jaas.conf`);
    await writeFile(jaas, `KafkaConnect {\n  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required\n  file="${users}";\n};\n`);
    jvm.push(`-Djava.security.auth.login.config=${jaas}`);
  }
  const config = join(dir, `${id}.properties`);
  await writeFile(config, `${lines.join('\n')}\n`);
  const process = new JavaProcess(id, join(dir, `${id}.log`), [...jvm, '-cp', `${install.lib}/*`, 'org.apache.kafka.connect.cli.ConnectDistributed', config]);
  return { index, url: `${scheme}://127.0.0.1:${port}`, process };
}

function restClient(options: ConnectClusterOptions): (url: string, method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown; text: string }> {
  const dispatcher = new Agent(options.tls ? { connect: { ca: options.tls.caPem } } : {});
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.basicAuth) headers['authorization'] = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`;
  return async (url, method, path, body) => {
    const response = await request(`${url}${path}`, {
      method: method as 'GET',
      headers,
      dispatcher,
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.statusCode, body: parsed, text };
  };
}

/** Starts the workers one after another (each joins the group), and waits until every one serves its REST API. */
export async function startConnectCluster(install: KafkaInstall, broker: Broker, dir: string, options: ConnectClusterOptions): Promise<ConnectCluster> {
  const send = restClient(options);
  const workers: Worker[] = [];
  const cluster: ConnectCluster = {
    name: options.name,
    workers,
    options,
    async rest(method, path, body, index) {
      const worker = index === undefined ? workers.find((w) => w.process.running) : workers[index];
      if (!worker) throw new Error(`no worker of ${options.name} runs`);
      return send(worker.url, method, path, body);
    },
    async stop() {
      await Promise.all(workers.map((worker) => worker.process.stop()));
    },
  };
  try {
    for (let index = 0; index < options.workers; index++) {
      const worker = await startWorker(install, broker, dir, options, index);
      workers.push(worker);
      await waitFor(`${worker.process.name} to serve its REST API`, async () => {
        const answer = await send(worker.url, 'GET', '/connectors');
        return answer.status === 200 ? true : undefined;
      }, 180_000, worker.process);
    }
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/**
 * The worker that leads the cluster's group, as the latest assignment in the workers' logs names it (`leaderUrl=`),
 * or undefined while no running worker has logged one. Connect's REST API does not say which worker leads.
 */
export function leaderOf(cluster: ConnectCluster): Worker | undefined {
  const named = cluster.workers
    .filter((worker) => worker.process.running)
    .map((worker) => [...worker.process.output().matchAll(/leaderUrl='([^']*)'/g)].at(-1)?.[1]);
  const leaderUrl = named[0];
  if (leaderUrl === undefined || named.some((url) => url !== leaderUrl)) return undefined;
  return cluster.workers.find((worker) => new URL(worker.url).host === new URL(leaderUrl).host);
}

export interface RealKafka {
  install: KafkaInstall;
  broker: Broker;
  dir: string;
  clusters: ConnectCluster[];
  stop(): Promise<void>;
}

/** A broker and the given Connect clusters, in a new run directory whose logs are kept (its path is in `dir`). */
export async function startRealKafka(version: string, clusters: ConnectClusterOptions[], runDir?: string): Promise<RealKafka> {
  const install = await installKafka(version);
  const dir = runDir ?? (await mkdtemp(join(tmpdir(), `connect-sentinel-kafka-${version}-`)));
  const broker = await startBroker(install, dir);
  const started: ConnectCluster[] = [];
  const stop = async () => {
    for (const cluster of started) await cluster.stop();
    await broker.process.stop();
    await broker.zookeeper?.stop();
  };
  try {
    for (const options of clusters) started.push(await startConnectCluster(install, broker, dir, options));
  } catch (err) {
    await stop();
    throw err;
  }
  return { install, broker, dir, clusters: started, stop };
}
