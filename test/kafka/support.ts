// What the real-Kafka test files share: a run directory for a version (after checking the tools it needs), the
// teardown, Connect's own status answers, and the fault plugin's start counters.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, type ConnectCluster, type RealKafka } from '../../tools/kafka/launcher.ts';
import { tool } from '../support/tools.ts';

export const FAULT_SOURCE = 'connect.sentinel.fault.FaultSourceConnector';
/** Long enough for a JVM on a busy 2-core machine; every wait is on a condition, never a fixed sleep. */
export const WAIT_MS = 90_000;

export interface ConnectStatus {
  connector: { state: string; worker_id: string };
  tasks: Array<{ id: number; state: string; worker_id: string; trace?: string }>;
}

/** A fresh run directory for `version`, once the tools a real cluster needs are known to be there. */
export async function realKafkaDir(version: string): Promise<string> {
  for (const needed of ['java', 'javac', 'keytool', 'mvn'] as const) tool(needed);
  return mkdtemp(join(tmpdir(), `connect-sentinel-real-${version}-`));
}

/** Closes what watched the cluster, stops the cluster and removes its run directory. */
export async function stopRealKafka(kafka: RealKafka | undefined, ...watchers: Array<{ close(): Promise<void> } | undefined>): Promise<void> {
  for (const watcher of watchers) await watcher?.close();
  await kafka?.stop();
  if (kafka) await rm(kafka.dir, { recursive: true, force: true });
}

/** Connect's own `GET /connectors/{name}/status`. */
export async function connectStatus(cluster: ConnectCluster, name: string): Promise<ConnectStatus> {
  return (await cluster.rest('GET', `/connectors/${name}/status`)).body as ConnectStatus;
}

/** Waits until Connect reports exactly `count` tasks of `name`, all in `state`; returns that status. */
export function untilTasks(cluster: ConnectCluster, name: string, count: number, state: string): Promise<ConnectStatus> {
  return waitFor(`the ${count} tasks of ${name} ${state}`, async () => {
    const status = await connectStatus(cluster, name);
    return status.tasks.length === count && status.tasks.every((task) => task.state === state) ? status : undefined;
  }, WAIT_MS);
}

/** How often each of the first `count` tasks of `name` was started: the fault plugin appends a line to a file in `stateDir` at each start. */
export function taskStarts(stateDir: string, name: string, count: number): Promise<number[]> {
  return Promise.all(Array.from({ length: count }, async (_, task) => (await readFile(join(stateDir, `${name}-${task}.starts`), 'utf8')).split('\n').length - 1));
}
