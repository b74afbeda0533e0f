// Runs the whole service in-process for tests: openService over a real config file, with a real history store in a
// temp dir, the real Connect client, and simulators over loopback. Polls are driven with app.pollAll()
// and time with a manual clock: nothing here sleeps or starts a timer.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { App, AppDeps } from '../../src/app.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/load.ts';
import { openService } from '../../src/service.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../packages/simulator/src/index.ts';
import { samplesOf, validateExposition, type Sample } from '../metrics/validator.ts';

export const T0 = Date.parse('2026-03-02T10:00:00Z');
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const VERSION = '9.9.9-test';

const cleanups: Array<() => Promise<void>> = [];

/** Call from afterEach: closes services, simulators and temp dirs, newest first. */
export async function cleanup(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()?.();
}

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sentinel-service-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A simulator in manual restart mode that is closed after the test. */
export async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ restartMode: 'manual', ...options });
  cleanups.push(() => sim.close());
  return sim;
}

/** Time that moves only when a test says so. */
export class ManualClock {
  now = T0;
  advance(ms: number): void {
    this.now += ms;
  }
}

export interface LogLines {
  lines(): Array<Record<string, unknown>>;
  text(): string;
}

function logSink(): LogLines & { write(line: string): void } {
  const raw: string[] = [];
  return {
    write: (line) => void raw.push(line),
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => raw.join(''),
  };
}

export interface ClusterEntry {
  name: string;
  url: string | string[];
  basicAuth?: { username: string; password: string };
  pollInterval?: string;
  timeout?: string;
  pluginsInterval?: string;
  connectors?: { include?: string[]; exclude?: string[] };
}

export interface ConfigShape {
  clusters: ClusterEntry[];
  restart?: Record<string, unknown>;
  api?: { tokenFile: string };
  metrics?: { dropZeroStates?: boolean; processMetrics?: boolean };
  log?: { level: string };
}

/** Config text: YAML is a superset of JSON, so a JSON document is a valid config file. */
export function configText(shape: ConfigShape): string {
  return `${JSON.stringify({ web: { listenAddress: '127.0.0.1:0' }, metrics: { processMetrics: false }, ...shape }, null, 2)}\n`;
}

export interface ServiceOptions {
  /** The config file's text; required unless `load` is given. */
  config?: string;
  /** Loads the config instead of reading the config file (e.g. the demo's). */
  load?: () => Promise<LoadedConfig>;
  /** Monotonic ms for poll durations; a constant makes them 0. */
  monotonicNow?: () => number;
  /** Reuse a directory (and so its data dir and config file) from an earlier service. */
  dir?: string;
  clock?: ManualClock;
  env?: Record<string, string>;
  createClient?: AppDeps['createClient'];
}

export interface Scrape {
  status: number;
  body: string;
  samples: Sample[];
}

export interface Service {
  app: App;
  clock: ManualClock;
  /** Holds the config file and the data dir; pass it to a later service to restart on the same state. */
  dir: string;
  logs: LogLines;
  /** Replaces the config file; takes effect at the next reload. */
  writeConfig(text: string): Promise<void>;
  inject(options: { method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; headers?: Record<string, string>; payload?: unknown }): Promise<LightMyRequestResponse>;
  /** GET /metrics, checked by the strict exposition validator. */
  scrape(): Promise<Scrape>;
  /** Closes the app and then the history store (releasing the data-dir lock); safe to call twice. */
  close(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<Service> {
  const dir = options.dir ?? (await tempDir());
  const configPath = join(dir, 'sentinel.yaml');
  await writeFile(configPath, options.config ?? '');
  const clock = options.clock ?? new ManualClock();
  const logs = logSink();
  const readConfigFile = async () =>
    parseConfigText(await readFile(configPath, 'utf8'), {
      source: configPath,
      baseDir: dir,
      env: options.env ?? {},
      overrides: { dataDir: join(dir, 'data') },
    });
  const load = options.load ?? readConfigFile;
  const service = await openService({
    load,
    version: VERSION,
    logDestination: { write: logs.write },
    logLevel: 'debug',
    now: () => clock.now,
    ...(options.createClient ? { createClient: options.createClient } : {}),
    ...(options.monotonicNow ? { monotonicNow: options.monotonicNow } : {}),
  });
  const { app, close } = service;
  cleanups.push(close);

  const inject: Service['inject'] = (request) =>
    app.server.inject({
      method: request.method ?? 'GET',
      url: request.url,
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.payload === undefined ? {} : { payload: request.payload as object }),
    });

  return {
    app,
    clock,
    dir,
    logs,
    writeConfig: (text) => writeFile(configPath, text),
    inject,
    async scrape() {
      const response = await inject({ url: '/metrics' });
      const problems = validateExposition(response.body, 'prometheus');
      if (problems.length > 0) throw new Error(`invalid exposition:\n${problems.join('\n')}`);
      return { status: response.statusCode, body: response.body, samples: samplesOf(response.body) };
    },
    close,
  };
}

/** Samples of one metric whose labels include `labels`. */
export function select(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

/** The value of the one sample that matches, or undefined when none does; more than one is a test error. */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = select(samples, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0] === undefined ? undefined : Number(found[0].value);
}

/** The state whose series is 1 in a state set (connector or task), or undefined. */
export function currentState(samples: readonly Sample[], name: string, labels: Record<string, string>): string | undefined {
  const on = select(samples, name, labels).filter((sample) => sample.value === '1');
  if (on.length > 1) throw new Error(`${on.length} states of ${name} ${JSON.stringify(labels)} are 1`);
  return on[0]?.labels['state'];
}

/** Requests a simulator answered, as `METHOD path?query`, for exact assertions on what the service sent. */
export function requestLines(sim: Simulator, from = 0): string[] {
  return sim.requests.entries.slice(from).map((entry) => `${entry.method} ${entry.path}${entry.query === '' ? '' : `?${entry.query}`}`);
}

/** A plain HTTP proxy in front of a simulator that counts the requests open at once. */
export async function countingProxy(target: string): Promise<{ url: string; peak(): number }> {
  const { createServer, request } = await import('node:http');
  let open = 0;
  let peak = 0;
  const server = createServer((incoming, outgoing) => {
    open += 1;
    peak = Math.max(peak, open);
    const forward = request(
      `${target}${incoming.url ?? '/'}`,
      { method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
        answer.on('end', () => {
          open -= 1;
        });
      },
    );
    forward.on('error', () => {
      open -= 1;
      outgoing.destroy();
    });
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, peak: () => peak };
}

export { refusedUrl } from '../support/network.ts';
