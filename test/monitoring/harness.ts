// A real monitoring stack on loopback for end-to-end tests: Prometheus (scraping one target every second and
// evaluating connect-sentinel's rules with shortened `for` durations) and Alertmanager (with the shipped routing and
// inhibition, its pager and ticket receivers pointed at a webhook server inside the test). Everything binds
// 127.0.0.1, keeps its data in a temporary directory, and is killed by close(), even when a test fails.
//
// The target is any host:port serving /metrics: the fixture exporter (live.test.ts) or connect-sentinel itself
// (live-service.test.ts):
//
//   const sim = await startSimulator({ restartMode: 'auto', connectors: [...] });
//   const sentinel = await startLiveSentinel({ clusters: [{ name: 'prod', url: sim.url, pollInterval: '1s' }], restart: {...} });
//   const stack = await startMonitoringStack({ target: sentinel.address });
//   await stack.webhook.waitForAlert('pager', { alertname: 'KafkaConnectAutoRestartExhausted', connector: '…', task: '1' });

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { alertmanagerConfig } from '../../alerts/src/alertmanager.ts';
import { ALERT_NAMES, defaultConfig, type MonitoringConfig } from '../../alerts/src/config.ts';
import { renderRuleFile } from '../../alerts/src/rule-files.ts';
import { tool, type Tool } from '../support/tools.ts';

/** The shipped config with every alert's `for` replaced: tests must not wait minutes, the shipped defaults must. */
export function withForDurations(config: MonitoringConfig, forDuration: string, overrides: Partial<Record<string, string>> = {}): MonitoringConfig {
  const alerts = Object.fromEntries(
    ALERT_NAMES.map((name) => [name, { ...config.alerts[name], for: overrides[name] ?? forDuration }]),
  ) as MonitoringConfig['alerts'];
  return { ...config, alerts };
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs` saying what it awaited. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A port that was free a moment ago on 127.0.0.1, for binaries that cannot report the port they bound. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A child process whose output is kept (the tail ends up in error messages) and that is always stopped. */
class ManagedProcess {
  readonly name: string;
  private readonly child: ChildProcess;
  private output = '';
  private exited: Promise<number | null>;

  constructor(name: string, command: string, args: string[]) {
    this.name = name;
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.child.once('error', (err) => {
        keep(Buffer.from(String(err)));
        resolve(null);
      });
    });
    LIVE_PROCESSES.add(this);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  tail(): string {
    return this.output.slice(-4000);
  }

  async stop(): Promise<void> {
    LIVE_PROCESSES.delete(this);
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  killNow(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

const LIVE_PROCESSES = new Set<ManagedProcess>();
// A test runner that exits without running afterAll must not leave Prometheus behind.
process.once('exit', () => {
  for (const child of LIVE_PROCESSES) child.killNow();
});

/** Starts a binary on a fresh port until its /-/ready answers, retrying with another port if it dies early. */
async function startReady(name: string, command: Tool, args: (port: number) => string[]): Promise<{ process: ManagedProcess; url: string }> {
  let failure = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = new ManagedProcess(name, tool(command), args(port));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(`${name} to be ready`, async () => {
        if (!child.running) throw new Error(`${name} exited`);
        const response = await fetch(`${url}/-/ready`);
        await response.arrayBuffer();
        return response.ok ? true : undefined;
      }, 15_000, 100);
      return { process: child, url };
    } catch (err) {
      failure = `${String(err)}\n${child.tail()}`;
      await child.stop();
    }
  }
  throw new Error(`${name} did not start:\n${failure}`);
}

/** One Alertmanager webhook notification (its JSON body). */
export interface WebhookNotification {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
}

export interface ReceivedNotification {
  /** `pager` or `tickets`: the path the notification was posted to. */
  receiver: string;
  body: WebhookNotification;
}

/** The test's stand-in for a pager and a ticket system: it records what Alertmanager posts. */
export class WebhookReceiver {
  readonly received: ReceivedNotification[] = [];
  private readonly server: Server;
  url = '';

  private constructor() {
    this.server = createHttpServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        try {
          this.received.push({ receiver: (req.url ?? '/').slice(1), body: JSON.parse(body) as WebhookNotification });
          res.writeHead(200).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve, reject) => receiver.server.once('error', reject).listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    return receiver;
  }

  /** Every alert delivered so far, with the receiver it went to. */
  alerts(): Array<{ receiver: string; status: string; labels: Record<string, string>; annotations: Record<string, string> }> {
    return this.received.flatMap((notification) => notification.body.alerts.map((alert) => ({ receiver: notification.receiver, ...alert })));
  }

  /** Waits for a firing alert at `receiver` whose labels include all of `labels`. */
  waitForAlert(receiver: string, labels: Record<string, string>, timeoutMs = 20_000) {
    return waitFor(`${JSON.stringify(labels)} at the ${receiver} receiver`, async () =>
      this.alerts().find(
        (alert) => alert.receiver === receiver && alert.status === 'firing' && Object.entries(labels).every(([name, value]) => alert.labels[name] === value),
      ), timeoutMs);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
}

export interface MonitoringStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  webhook: WebhookReceiver;
  /** An instant query; throws on a query error. */
  query(expr: string): Promise<PromSample[]>;
  /** The alerts Alertmanager holds now, with their inhibition state. */
  alertmanagerAlerts(): Promise<AlertmanagerAlert[]>;
  /** The last lines Prometheus and Alertmanager logged, for failure messages. */
  logs(): string;
  close(): Promise<void>;
}

export interface MonitoringStackOptions {
  /** host:port serving /metrics: connect-sentinel, or a fixture exporter. */
  target: string;
  /** Rules to load; the default is the shipped rules with every `for` at 2s. */
  config?: MonitoringConfig;
  /** Scrape and rule evaluation interval. */
  interval?: string;
}

/** The job name the shipped rules select. */
const JOB = 'connect-sentinel';

export async function startMonitoringStack(options: MonitoringStackOptions): Promise<MonitoringStack> {
  const dir = mkdtempSync(join(tmpdir(), 'monitoring-stack-'));
  const config = options.config ?? withForDurations(defaultConfig, '2s');
  const interval = options.interval ?? '1s';
  const started: ManagedProcess[] = [];
  const webhook = await WebhookReceiver.start();
  const close = async () => {
    for (const child of started.reverse()) await child.stop();
    await webhook.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const amConfig = alertmanagerConfig(config, {
      pager: { webhook_configs: [{ url: `${webhook.url}/pager`, send_resolved: true }] },
      tickets: { webhook_configs: [{ url: `${webhook.url}/tickets`, send_resolved: true }] },
      groupWait: '1s',
      groupInterval: '1s',
      repeatInterval: '1h',
      pagerRepeatInterval: '1h',
    });
    writeFileSync(join(dir, 'alertmanager.yml'), stringify(amConfig));
    mkdirSync(join(dir, 'alertmanager-data'));
    const alertmanager = await startReady('alertmanager', 'prometheus-alertmanager', (port) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // An empty address turns clustering off: no gossip port on every interface.
      '--cluster.listen-address=',
    ]);
    started.push(alertmanager.process);

    writeFileSync(join(dir, 'rules.yml'), renderRuleFile(config));
    const prometheusConfig = {
      global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
      rule_files: [join(dir, 'rules.yml')],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(alertmanager.url).host] }] }] },
      scrape_configs: [{ job_name: JOB, static_configs: [{ targets: [options.target] }] }],
    };
    writeFileSync(join(dir, 'prometheus.yml'), stringify(prometheusConfig));
    mkdirSync(join(dir, 'prometheus-data'));
    const prometheus = await startReady('prometheus', 'prometheus', (port) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    started.push(prometheus.process);

    return {
      prometheusUrl: prometheus.url,
      alertmanagerUrl: alertmanager.url,
      webhook,
      async query(expr) {
        const response = await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
        const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: PromSample[] } };
        if (body.status !== 'success' || body.data === undefined) throw new Error(`query failed: ${body.error ?? response.status}: ${expr}`);
        if (body.data.resultType !== 'vector') throw new Error(`not an instant vector (${body.data.resultType}): ${expr}`);
        return body.data.result;
      },
      async alertmanagerAlerts() {
        const response = await fetch(`${alertmanager.url}/api/v2/alerts`);
        if (!response.ok) throw new Error(`Alertmanager answered ${response.status}`);
        return (await response.json()) as AlertmanagerAlert[];
      },
      logs: () => started.map((child) => `--- ${child.name}\n${child.tail()}`).join('\n'),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
