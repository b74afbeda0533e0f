// Java stack traces as Kafka Connect reports them: Throwable.printStackTrace() output (docs/connect-rest-api.md §3, §8).
// Trace text is data a test feeds in: messages may carry user data, never a configured password.

import type { KafkaProfile } from './version.ts';

export interface ExceptionSpec {
  /** Fully qualified class, e.g. `org.apache.kafka.connect.errors.ConnectException`. */
  exception: string;
  /** May span lines and hold blank lines. Absent or null: the line is the class alone, as Java prints it. */
  message?: string | null;
  /** The plugin's frames (`pkg.Class.method(File.java:N)`); the worker thread's runtime frames follow them. */
  frames?: readonly string[];
  /** The whole stack instead of `frames` plus the runtime's; [] for an exception that has none (producer callbacks). */
  stack?: readonly string[];
}

export interface TraceSpec extends ExceptionSpec {
  /** Outermost first: each is the `Caused by:` of the one before. */
  causes?: readonly ExceptionSpec[];
}

/** Where the instance runs: a sink or source task thread, or a connector thread. */
export type TraceSite = 'sink-task' | 'source-task' | 'connector';

const RUNTIME = 'org.apache.kafka.connect.runtime';

/** Frames under a task or connector's own frames on the worker's thread, top first. */
export function workerStack(site: TraceSite, profile: KafkaProfile): string[] {
  const lines = profile.traceLines;
  const modern = profile.kafka.major > 3 || (profile.kafka.major === 3 && profile.kafka.minor >= 4);
  const abstractSource = profile.kafka.major > 3 || (profile.kafka.major === 3 && profile.kafka.minor >= 3);
  const workerTask = [
    `${RUNTIME}.WorkerTask.doRun(WorkerTask.java:${lines.workerTaskDoRun})`,
    `${RUNTIME}.WorkerTask.run(WorkerTask.java:${lines.workerTaskRun})`,
  ];
  const classLoader = modern ? [`${RUNTIME}.isolation.Plugins.lambda$withClassLoader$1(Plugins.java:177)`] : [];
  const threads = executorStack(profile);
  switch (site) {
    case 'sink-task':
      return [
        `${RUNTIME}.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:${lines.sinkDeliver - 22})`,
        `${RUNTIME}.WorkerSinkTask.poll(WorkerSinkTask.java:${lines.sinkPoll})`,
        `${RUNTIME}.WorkerSinkTask.iteration(WorkerSinkTask.java:${lines.sinkIteration})`,
        `${RUNTIME}.WorkerSinkTask.execute(WorkerSinkTask.java:${lines.sinkExecute})`,
        ...workerTask,
        ...classLoader,
        ...threads,
      ];
    case 'source-task': {
      const source = abstractSource ? 'AbstractWorkerSourceTask' : 'WorkerSourceTask';
      return [
        `${RUNTIME}.${source}.poll(${source}.java:${lines.sourcePoll})`,
        `${RUNTIME}.${source}.execute(${source}.java:${lines.sourceExecute})`,
        ...workerTask,
        ...(modern ? [`${RUNTIME}.AbstractWorkerSourceTask.run(AbstractWorkerSourceTask.java:75)`] : []),
        ...classLoader,
        ...threads,
      ];
    }
    case 'connector':
      return [
        `${RUNTIME}.WorkerConnector.doStart(WorkerConnector.java:186)`,
        `${RUNTIME}.WorkerConnector.start(WorkerConnector.java:211)`,
        `${RUNTIME}.WorkerConnector.doTransitionTo(WorkerConnector.java:350)`,
        `${RUNTIME}.WorkerConnector.doTransitionTo(WorkerConnector.java:333)`,
        `${RUNTIME}.WorkerConnector.doRun(WorkerConnector.java:141)`,
        `${RUNTIME}.WorkerConnector.run(WorkerConnector.java:118)`,
        ...classLoader,
        ...threads,
      ];
  }
}

/** The JDK's thread-pool frames under every runnable, ending in Thread.run. */
export function executorStack(profile: KafkaProfile): string[] {
  switch (profile.jdk) {
    case 8:
      return [
        'java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:511)',
        'java.util.concurrent.FutureTask.run(FutureTask.java:266)',
        'java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1149)',
        'java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:624)',
        'java.lang.Thread.run(Thread.java:748)',
      ];
    case 11:
      return [
        'java.base/java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:515)',
        'java.base/java.util.concurrent.FutureTask.run(FutureTask.java:264)',
        'java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1128)',
        'java.base/java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:628)',
        'java.base/java.lang.Thread.run(Thread.java:829)',
      ];
    case 17:
      return [
        'java.base/java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:539)',
        'java.base/java.util.concurrent.FutureTask.run(FutureTask.java:264)',
        'java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)',
        'java.base/java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:635)',
        'java.base/java.lang.Thread.run(Thread.java:833)',
      ];
  }
}

/** printStackTrace() of the spec: causes print only the frames they do not share with the one they cause. */
export function javaTrace(spec: TraceSpec, site: TraceSite, profile: KafkaProfile): string {
  const base = workerStack(site, profile);
  const stackOf = (exception: ExceptionSpec): readonly string[] =>
    exception.stack ?? [...(exception.frames ?? []), ...base];
  const out: string[] = [describe(spec)];
  let enclosing = stackOf(spec);
  for (const frame of enclosing) out.push(`\tat ${frame}`);
  for (const cause of spec.causes ?? []) {
    const stack = stackOf(cause);
    const common = commonSuffix(stack, enclosing);
    out.push(`Caused by: ${describe(cause)}`);
    for (let i = 0; i < stack.length - common; i++) out.push(`\tat ${stack[i]}`);
    if (common > 0) out.push(`\t... ${common} more`);
    enclosing = stack;
  }
  return `${out.join('\n')}\n`;
}

function describe(exception: ExceptionSpec): string {
  return exception.message === undefined || exception.message === null
    ? exception.exception
    : `${exception.exception}: ${exception.message}`;
}

function commonSuffix(stack: readonly string[], enclosing: readonly string[]): number {
  let common = 0;
  while (
    common < stack.length &&
    common < enclosing.length &&
    stack[stack.length - 1 - common] === enclosing[enclosing.length - 1 - common]
  ) {
    common++;
  }
  return common;
}
