// `npm run bench:real-connect`: connect-sentinel's poll against the peers' N+1 pattern on a real Kafka Connect worker
// with 1,000 idle connectors of the fault plugin, in one run. It reports each side's time per poll and the CPU
// seconds the worker's JVM spends per poll (from /proc/<pid>/stat), since the load on Connect is what the peers cost
// their users. Writes bench/real-connect.md, which bench/RESULTS.md includes. `--connectors=N`, `--rounds=R`.

import { readFile, rm, writeFile } from 'node:fs/promises';
import { pino } from 'pino';
import { request } from 'undici';
import { createConnectClient } from '../src/connect/client.ts';
import { forEachLimited } from '../src/connect/concurrency.ts';
import { KAFKA_VERSIONS, startRealKafka, waitFor, type ConnectCluster } from '../tools/kafka/launcher.ts';
import { median } from './lib/measure.ts';
import { nPlusOnePoller } from './peers/n-plus-one.ts';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const CONNECTORS = arg('connectors', 1000);
const ROUNDS = arg('rounds', 10);
const VERSION = KAFKA_VERSIONS[0];
const OUT = new URL('./real-connect.md', import.meta.url);
const started = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

/** User plus system CPU seconds the process has used so far (fields 14 and 15 of /proc/<pid>/stat, in ticks). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function createFleet(cluster: ConnectCluster): Promise<void> {
  const names = Array.from({ length: CONNECTORS }, (_, i) => `idle-${String(i).padStart(5, '0')}`);
  await forEachLimited(names, 8, async (name) => {
    const answer = await cluster.rest('PUT', `/connectors/${name}/config`, {
      'connector.class': 'connect.sentinel.fault.FaultSourceConnector',
      'tasks.max': '1',
      'fault.poll.ms': '30000',
    });
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`creating ${name}: ${answer.status} ${answer.text}`);
  });
  await waitFor(`${CONNECTORS} connectors RUNNING`, async () => {
    const body = (await cluster.rest('GET', '/connectors?expand=status')).body as Record<string, { status: { tasks: Array<{ state: string }> } }>;
    const running = Object.values(body).filter((entry) => entry.status.tasks[0]?.state === 'RUNNING').length;
    return running === CONNECTORS ? true : undefined;
  }, 30 * 60_000);
}

const kafka = await startRealKafka(VERSION, [{ name: 'bench', workers: 1 }]);
try {
  const [cluster] = kafka.clusters as [ConnectCluster];
  const worker = cluster.workers[0]!;
  log(`Kafka ${VERSION} up; creating ${CONNECTORS} connectors`);
  await createFleet(cluster);
  log('fleet RUNNING; measuring');

  const client = createConnectClient({ cluster: 'bench', urls: [worker.url], logger: pino({ level: 'silent' }), timeoutMs: 60_000 });
  const peer = nPlusOnePoller(worker.url, 8);
  const sides = {
    sentinel: { poll: async () => (await client.pollStatus()).connectors.length, ms: [] as number[], cpu: [] as number[] },
    peer: { poll: async () => (await peer.poll()).length, ms: [] as number[], cpu: [] as number[] },
    // What connect-sentinel sent at every poll before: the same single request with each connector's info.
    withInfo: {
      poll: async () => {
        const response = await request(`${worker.url}/connectors?expand=status&expand=info`);
        return Object.keys((await response.body.json()) as object).length;
      },
      ms: [] as number[],
      cpu: [] as number[],
    },
  };
  // One warm-up each, then rounds alternate, so that both sides see the same worker at the same moments.
  for (const side of Object.values(sides)) await side.poll();
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of Object.values(sides)) {
      const cpuBefore = await cpuSeconds(worker.process.pid ?? 0);
      const before = performance.now();
      const seen = await side.poll();
      side.ms.push(performance.now() - before);
      side.cpu.push((await cpuSeconds(worker.process.pid ?? 0)) - cpuBefore);
      if (seen !== CONNECTORS) throw new Error(`a poll saw ${seen} connectors, not ${CONNECTORS}`);
    }
  }
  await client.close();
  await peer.close();

  const row = (name: string, requests: string, side: { ms: number[]; cpu: number[] }) =>
    `| ${name} | ${requests} | ${median(side.ms).toFixed(1)} ms | ${(median(side.cpu) * 1000).toFixed(0)} ms |`;
  const ratio = (a: number, b: number) => (b === 0 ? '∞' : `${(a / b).toFixed(1)}×`);
  const report = `## Against a real Kafka Connect worker

\`npm run bench:real-connect\`: Apache Kafka ${VERSION}, one distributed worker on loopback (its own JVM), ${CONNECTORS} idle
connectors of the fault plugin (one task each), ${ROUNDS} rounds alternating between the sides after one warm-up
each; medians. CPU is the worker JVM's user + system time during the poll (/proc, 10 ms ticks).

| poller | requests per poll | time per poll | worker CPU per poll |
| --- | --- | --- | --- |
${row('connect-sentinel', '1 (`GET /connectors?expand=status`)', sides.sentinel)}
${row("peers' N+1 (8 in flight)", `${CONNECTORS + 1}`, sides.peer)}
${row('one request with the info', '1 (`GET /connectors?expand=status&expand=info`)', sides.withInfo)}

The N+1 pattern takes ${ratio(median(sides.peer.ms), median(sides.sentinel.ms))} as long as connect-sentinel's poll
and costs the worker ${ratio(median(sides.peer.cpu), median(sides.sentinel.cpu))} its CPU. The single request with
\`expand=info\`, which connect-sentinel sent at every poll until this benchmark ran on a real worker, takes
${ratio(median(sides.withInfo.ms), median(sides.sentinel.ms))} as long and costs the worker
${ratio(median(sides.withInfo.cpu), median(sides.sentinel.cpu))} the CPU: each connector's info goes through the
herder. connect-sentinel now reads the info only with its first poll, for a connector it has not seen, and every
5 minutes. CPU figures are in 10 ms ticks: a median of 0 means under one tick. Measured on
${new Date().toISOString().slice(0, 10)}, 2 cores.
`;
  await writeFile(OUT, report);
  process.stdout.write(report);
} finally {
  await kafka.stop();
  await rm(kafka.dir, { recursive: true, force: true });
}
