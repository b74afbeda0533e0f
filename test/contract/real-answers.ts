// Recordings of real Kafka Connect's answers (test/fixtures/real-answers/<version>.json): answers to single requests,
// and a connector's status through a sequence of steps. The same requests are sent to a real worker
// (test/kafka/real-connect.test.ts, which also writes the recordings with UPDATE_RECORDINGS=1) and to the simulator
// (test/contract/simulator-real-answers.test.ts), and both must answer as recorded.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../tools/kafka/launcher.ts';

/** The connector the probes are about: one source task, FAILED at its start; the connector instance RUNNING. */
export const PROBE_CONNECTOR = 'probe-source';

/** The `fault.message` of the recorded connectors' tasks. */
export const PROBE_MESSAGE = 'probe';

/** The first line of their traces: the fault plugin's default exception, with that message. */
export const PROBE_TRACE = `org.apache.kafka.connect.errors.ConnectException: ${PROBE_MESSAGE}`;

/** What the fault plugin's connectors and tasks report as their version (`version()` in tools/kafka/fault-plugin). */
export const FAULT_PLUGIN_VERSION = '1.0.0-fault';

/** Requests whose answers need no more than the probe connector. The bulk restart comes last: it changes the task. */
const PROBES = [
  { name: 'status of an unknown connector', method: 'GET', path: '/connectors/no-such-connector/status' },
  { name: 'status of an unknown task', method: 'GET', path: `/connectors/${PROBE_CONNECTOR}/tasks/7/status` },
  { name: 'restart of an unknown connector', method: 'POST', path: '/connectors/no-such-connector/restart?includeTasks=true&onlyFailed=true' },
  { name: 'restart of an unknown task', method: 'POST', path: `/connectors/${PROBE_CONNECTOR}/tasks/7/restart` },
  { name: 'pause of an unknown connector', method: 'PUT', path: '/connectors/no-such-connector/pause' },
  { name: 'bulk restart of a FAILED task', method: 'POST', path: `/connectors/${PROBE_CONNECTOR}/restart?includeTasks=true&onlyFailed=true` },
] as const;

/** The connector whose status is recorded through pause, resume and stop: one source task that fails at every start. */
export const SEQUENCE_CONNECTOR = 'sequence-source';

interface StatusBody {
  connector: { state: string };
  tasks: Array<{ state: string }>;
}

/**
 * Steps of the state sequence: each sends its request (none for the first), then waits until the status shows what
 * the step is about, and records that status. The wait names a state, never a time. `startsTask`: the step starts
 * the task again, which the fault plugin fails.
 */
const SEQUENCE: ReadonlyArray<{ name: string; request?: { method: string; path: string }; startsTask?: true; until: (status: StatusBody) => boolean }> = [
  { name: 'created: the task failed at its start', until: (status) => status.tasks[0]?.state === 'FAILED' },
  { name: 'paused: the FAILED task stays FAILED', request: { method: 'PUT', path: 'pause' }, until: (status) => status.connector.state === 'PAUSED' },
  { name: 'resumed', request: { method: 'PUT', path: 'resume' }, until: (status) => status.connector.state === 'RUNNING' },
  { name: 'stopped: no tasks', request: { method: 'PUT', path: 'stop' }, until: (status) => status.connector.state === 'STOPPED' && status.tasks.length === 0 },
  { name: 'resumed from STOPPED: the task starts again, and fails', request: { method: 'PUT', path: 'resume' }, startsTask: true, until: (status) => status.connector.state === 'RUNNING' && status.tasks[0]?.state === 'FAILED' },
];

type Send = (method: string, path: string) => Promise<{ status: number; text: string }>;

/** Sends PROBES through `send`, in order, and returns the normalised answers. */
export async function recordAnswers(send: Send): Promise<RecordedAnswer[]> {
  const answers: RecordedAnswer[] = [];
  for (const probe of PROBES) {
    const answer = await send(probe.method, probe.path);
    answers.push(normalise(probe.name, answer.status, answer.text));
  }
  return answers;
}

/** Runs SEQUENCE through `send`; `sent` is told of each step once its request is answered, for a model that must mirror the plugin. */
export async function recordSequence(send: Send, timeoutMs: number, sent: (step: (typeof SEQUENCE)[number]) => void = () => {}): Promise<RecordedAnswer[]> {
  const recorded: RecordedAnswer[] = [];
  const base = `/connectors/${SEQUENCE_CONNECTOR}`;
  for (const step of SEQUENCE) {
    const answer = step.request === undefined ? undefined : await send(step.request.method, `${base}/${step.request.path}`);
    sent(step);
    const status = await waitFor(`${SEQUENCE_CONNECTOR} ${step.name}`, async () => {
      const now = await send('GET', `${base}/status`);
      if (now.status === 200 && step.until(JSON.parse(now.text) as StatusBody)) return now;
      throw new Error(`${now.status} ${now.text.slice(0, 300)}`);
    }, timeoutMs);
    recorded.push({ ...normalise(step.name, status.status, status.text), ...(answer === undefined ? {} : { answered: answer.status }) });
  }
  return recorded;
}

export interface RecordedAnswer {
  name: string;
  status: number;
  /** The JSON body with worker ids replaced, or the text when it is not JSON; null for no body. */
  body: unknown;
  /** In a sequence: the status code of the step's request. */
  answered?: number;
}

export interface Recording {
  answers: RecordedAnswer[];
  sequence: RecordedAnswer[];
}

const RECORDINGS_DIR = join(import.meta.dirname, '../fixtures/real-answers');

/**
 * Worker ids (host:port) differ from run to run, and a trace's frames from one build and JVM to the next: a trace
 * keeps its first line (the exception and its message), its frames become "…".
 */
function normalise(name: string, status: number, text: string): RecordedAnswer {
  if (text === '') return { name, status, body: null };
  const reviver = (key: string, value: unknown) =>
    key === 'worker_id' ? '<worker>' : key === 'trace' && typeof value === 'string' ? `${value.split('\n')[0]}\n…` : value;
  try {
    return { name, status, body: JSON.parse(text, reviver) };
  } catch {
    return { name, status, body: text };
  }
}

export function readRecording(version: string): Recording {
  return JSON.parse(readFileSync(join(RECORDINGS_DIR, `${version}.json`), 'utf8')) as Recording;
}

export function writeRecording(version: string, recording: Recording): void {
  writeFileSync(join(RECORDINGS_DIR, `${version}.json`), `${JSON.stringify(recording, null, 2)}\n`);
}
