import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAILURE_KINDS, failureSpec } from '../src/failures.ts';
import { javaTrace, workerStack } from '../src/traces.ts';
import { kafkaProfile } from '../src/version.ts';

const AK39 = kafkaProfile('3.9.0');
const AK25 = kafkaProfile('2.5.0');

describe('javaTrace', () => {
  it('prints like Throwable.printStackTrace(): frames, causes with "... N more" for the shared tail, a final newline', () => {
    const trace = javaTrace(
      {
        exception: 'org.apache.kafka.connect.errors.ConnectException',
        message: 'Exiting WorkerSinkTask due to unrecoverable exception.',
        causes: [{ exception: 'java.sql.SQLException', message: 'boom', frames: ['io.example.Task.put(Task.java:9)'] }],
      },
      'sink-task',
      AK25,
    );
    const lines = trace.split('\n');
    const stack = workerStack('sink-task', AK25);
    expect(lines[0]).toBe('org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.');
    expect(lines.slice(1, 1 + stack.length)).toEqual(stack.map((frame) => `\tat ${frame}`));
    expect(lines[1 + stack.length]).toBe('Caused by: java.sql.SQLException: boom');
    expect(lines[2 + stack.length]).toBe('\tat io.example.Task.put(Task.java:9)');
    expect(lines[3 + stack.length]).toBe(`\t... ${stack.length} more`);
    expect(trace.endsWith('\n')).toBe(true);
    expect(trace).toContain('\tat org.apache.kafka.connect.runtime.WorkerTask.doRun(WorkerTask.java:184)\n');
    expect(trace).toContain('\tat org.apache.kafka.connect.runtime.WorkerTask.run(WorkerTask.java:234)\n');
    expect(trace).toContain('\tat java.base/java.lang.Thread.run(Thread.java:829)\n');
  });

  it('prints a class alone when there is no message, and only the line when there is no stack', () => {
    expect(javaTrace({ exception: 'java.lang.NullPointerException', stack: [] }, 'source-task', AK39)).toBe(
      'java.lang.NullPointerException\n',
    );
  });

  it('keeps multi-line messages with blank lines as they are', () => {
    const trace = javaTrace({ exception: 'x.Y', message: 'first\n\n\nlast', stack: ['a.B.c(B.java:1)'] }, 'connector', AK39);
    expect(trace).toBe('x.Y: first\n\n\nlast\n\tat a.B.c(B.java:1)\n');
  });

  it('uses the source runtime frames of the version', () => {
    const modern = javaTrace({ exception: 'x.Y', frames: [] }, 'source-task', AK39);
    expect(modern).toContain('AbstractWorkerSourceTask.poll(AbstractWorkerSourceTask.java:466)');
    expect(modern).toContain('AbstractWorkerSourceTask.execute(AbstractWorkerSourceTask.java:354)');
    expect(modern).toContain('Plugins.lambda$withClassLoader$1(Plugins.java:177)');
    const old = javaTrace({ exception: 'x.Y', frames: [] }, 'source-task', kafkaProfile('2.1.1'));
    expect(old).toContain('org.apache.kafka.connect.runtime.WorkerSourceTask.execute(');
    expect(old).toContain('\tat java.lang.Thread.run(Thread.java:748)\n');
    expect(old).not.toContain('AbstractWorkerSourceTask');
  });

  it('always ends in a newline and has one "Caused by:" per cause (property)', () => {
    const javaClass = fc.stringMatching(/^[a-z]{1,6}(\.[a-z]{1,6}){0,3}\.[A-Z][A-Za-z]{0,10}$/);
    const exception = fc.record({
      exception: javaClass,
      message: fc.option(fc.string({ maxLength: 40 }).filter((text) => !text.includes('Caused by: ')), { nil: null }),
      frames: fc.array(fc.constantFrom('a.B.c(B.java:1)', 'd.E.f(E.java:22)'), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(exception, fc.array(exception, { maxLength: 3 }), fc.constantFrom('sink-task', 'source-task', 'connector'), (top, causes, site) => {
        const trace = javaTrace({ ...top, causes }, site as 'sink-task', AK39);
        expect(trace.endsWith('\n')).toBe(true);
        expect(trace.split('\nCaused by: ').length - 1).toBe(causes.length);
        expect(trace.split('\n', 1)[0]).toBe(top.message === null ? top.exception : `${top.exception}: ${top.message.split('\n', 1)[0]}`);
      }),
    );
  });
});

describe('failure presets', () => {
  it.each(FAILURE_KINDS)('%s starts with its top-level class and ends its causes with the root cause', (kind) => {
    // connect-sentinel's own parser reads these in test/contract/simulated-traces.test.ts.
    for (const profile of [kafkaProfile('2.2.2'), AK39, kafkaProfile('4.1.0')]) {
      const spec = failureSpec(kind, profile);
      const trace = javaTrace(spec, 'sink-task', profile);
      const root = spec.causes?.at(-1)?.exception ?? spec.exception;
      expect(trace.startsWith(spec.exception)).toBe(true);
      expect([...trace.matchAll(/^Caused by: ([\w.$]+)/gm)].at(-1)?.[1] ?? spec.exception).toBe(root);
      expect(trace.endsWith('\n')).toBe(true);
    }
  });

  it('covers the exception classes a monitor meets most', () => {
    const classes = FAILURE_KINDS.flatMap((kind) => {
      const spec = failureSpec(kind, AK39);
      return [spec.exception, ...(spec.causes ?? []).map((cause) => cause.exception)];
    });
    for (const expected of [
      'org.apache.kafka.connect.errors.ConnectException',
      'org.apache.kafka.common.config.ConfigException',
      'org.postgresql.util.PSQLException',
      'java.sql.SQLException',
      'org.apache.kafka.common.errors.TimeoutException',
      'org.apache.kafka.common.errors.RecordTooLargeException',
      'org.apache.kafka.common.errors.SaslAuthenticationException',
      'org.apache.kafka.common.errors.TopicAuthorizationException',
    ]) {
      expect(classes).toContain(expected);
    }
  });

  it('writes the messages the corpus shows', () => {
    const messages = FAILURE_KINDS.map((kind) => javaTrace(failureSpec(kind, AK39), 'sink-task', AK39).split('\n', 1)[0]);
    expect(messages).toContain('org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.');
    expect(messages).toContain('org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler');
    expect(messages).toContain(
      'org.apache.kafka.connect.errors.ConnectException: An exception occurred in the change event producer. This connector will be stopped.',
    );
    expect(messages).toContain('org.apache.kafka.connect.errors.ConnectException: Unrecoverable exception from producer send callback');
  });

  it('puts the version fingerprint in sink traces', () => {
    const trace = javaTrace(failureSpec('jdbc-sink-batch', AK39), 'sink-task', AK39);
    expect(trace).toContain('\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:636)\n');
    expect(trace).toContain('\tat org.apache.kafka.connect.runtime.WorkerTask.doRun(WorkerTask.java:226)\n');
    expect(trace).toMatch(/\n\t\.\.\. \d+ more\n/);
  });
});
