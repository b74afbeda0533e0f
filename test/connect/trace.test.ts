import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SCANNED_TRACE_LENGTH, parseTrace } from '../../src/connect/trace.ts';

const CLASS_SHAPE = /^[\p{L}_$][\p{L}\p{N}_$]*(?:\.[\p{L}_$][\p{L}\p{N}_$]*)+$/u;

function frames(n: number): string {
  return Array.from({ length: n }, (_, i) => `\tat com.example.Foo.bar${i}(Foo.java:${i + 1})\n`).join('');
}

describe('parseTrace', () => {
  it.each([
    {
      name: 'class with a message and no cause',
      trace: `org.apache.kafka.connect.errors.ConnectException: boom\n${frames(3)}`,
      exception: 'org.apache.kafka.connect.errors.ConnectException',
      rootCause: 'org.apache.kafka.connect.errors.ConnectException',
    },
    {
      name: 'bare class name on the first line',
      trace: `java.lang.NullPointerException\n${frames(2)}`,
      exception: 'java.lang.NullPointerException',
      rootCause: 'java.lang.NullPointerException',
    },
    {
      name: 'a message line only, no frames (capture status/03 task 3)',
      trace: 'org.apache.kafka.common.errors.TimeoutException: Timeout of 60000ms expired before ...\n',
      exception: 'org.apache.kafka.common.errors.TimeoutException',
      rootCause: 'org.apache.kafka.common.errors.TimeoutException',
    },
    {
      name: 'deepest Caused by wins',
      trace: `a.First: x\n${frames(2)}Caused by: b.Second: y\n${frames(1)}\t... 2 more\nCaused by: c.Third$Inner: z\n${frames(1)}\t... 5 more\n`,
      exception: 'a.First',
      rootCause: 'c.Third$Inner',
    },
    {
      name: 'bare class name in a Caused by',
      trace: `a.First: x\nCaused by: java.lang.NumberFormatException\n\t... 8 more\n`,
      exception: 'a.First',
      rootCause: 'java.lang.NumberFormatException',
    },
    {
      name: 'Caused by inside message text, not at a line start',
      trace: `a.First: wrapped (Caused by: x.Fake: no)\n${frames(1)}`,
      exception: 'a.First',
      rootCause: 'a.First',
    },
    {
      name: 'Suppressed blocks and their causes are ignored',
      trace: `a.First: x\n${frames(1)}\tSuppressed: s.Suppressed: y\n\t\tat s.S.m(S.java:1)\n\tCaused by: s.SuppressedCause: z\n\t\t... 3 more\nCaused by: b.Real: w\n\t... 1 more\n`,
      exception: 'a.First',
      rootCause: 'b.Real',
    },
    {
      name: 'multi-line message with blank lines (fragment 15)',
      trace: `org.apache.kafka.connect.errors.ConnectException: An exception occurred\n${frames(1)}Caused by: oracle.streams.StreamsException: ORA-03113: end-of-file\nProcess ID: 8563\nSession ID: 370 Serial number: 9305\n\n\n\tat oracle.streams.XStreamOut.x(Native Method)\n\t... 9 more\n`,
      exception: 'org.apache.kafka.connect.errors.ConnectException',
      rootCause: 'oracle.streams.StreamsException',
    },
    {
      name: 'a message line that starts with "Caused by: " but is no class keeps the last valid class',
      trace: `a.First: x\nCaused by: b.Second: multi\nCaused by: this is prose, not a class\n\t... 1 more\n`,
      exception: 'a.First',
      rootCause: 'b.Second',
    },
    {
      name: 'CRLF line endings',
      trace: 'a.First: x\r\n\tat a.B.c(B.java:1)\r\nCaused by: b.Second\r\n',
      exception: 'a.First',
      rootCause: 'b.Second',
    },
    {
      name: 'first line is prose',
      trace: 'Something went wrong: badly\nCaused by: b.Real: y\n',
      exception: '',
      rootCause: 'b.Real',
    },
    { name: 'a bare word is not a class (fixture text)', trace: 'trace0', exception: '', rootCause: '' },
    { name: 'empty', trace: '', exception: '', rootCause: '' },
    {
      name: 'unicode identifiers',
      trace: 'com.exämple.Fehler: x\n',
      exception: 'com.exämple.Fehler',
      rootCause: 'com.exämple.Fehler',
    },
  ])('$name', ({ trace, exception, rootCause }) => {
    expect(parseTrace(trace)).toEqual({ exception, rootCause });
  });

  it('never returns message text, even when a message looks like "Class: message"', () => {
    const trace = 'a.First: secret password=hunter2: more\nCaused by: b.Second: token: abc def\n';
    const parsed = parseTrace(trace);
    expect(parsed).toEqual({ exception: 'a.First', rootCause: 'b.Second' });
  });

  it('stops scanning a multi-megabyte trace at the cap', () => {
    const filler = 'x'.repeat(MAX_SCANNED_TRACE_LENGTH);
    const trace = `a.First: ${filler}\nCaused by: b.Beyond: y\n`;
    expect(parseTrace(trace)).toEqual({ exception: 'a.First', rootCause: 'a.First' });
  });

  it('handles a long trace of many causes within the cap', () => {
    const trace = `a.First: x\n${'Caused by: b.Cause: y\n\t... 1 more\n'.repeat(20_000)}Caused by: c.Last: z\n`;
    expect(parseTrace(trace).rootCause).toBe('c.Last');
  });

  it('rejects over-long class names', () => {
    const longName = `a.${'B'.repeat(600)}`;
    expect(parseTrace(`${longName}: x\n`).exception).toBe('');
  });

  it('property: never throws and only returns class-shaped strings or empty', () => {
    const line = fc.oneof(
      fc.string(),
      fc.constantFrom('Caused by: ', '\tSuppressed: ', '\tat a.B.c(B.java:1)', '\t... 3 more', 'x.Y: ', 'a.b.C'),
      fc.tuple(fc.constantFrom('Caused by: ', ''), fc.string(), fc.constantFrom(': ', '', ':')).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }).map((lines) => lines.join('\n')), (trace) => {
        const { exception, rootCause } = parseTrace(trace);
        for (const name of [exception, rootCause]) expect(name === '' || CLASS_SHAPE.test(name)).toBe(true);
        if (!trace.includes('\nCaused by: ')) expect(rootCause).toBe(exception);
      }),
      { numRuns: 500 },
    );
  });

  it('property: a generated trace yields its first and deepest classes', () => {
    const identifier = fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,8}$/);
    const className = fc.array(identifier, { minLength: 2, maxLength: 4 }).map((parts) => parts.join('.'));
    const message = fc.stringMatching(/^[^\n]{0,30}$/);
    fc.assert(
      fc.property(className, fc.array(fc.tuple(className, message), { maxLength: 4 }), message, (first, causes, text) => {
        const body = causes.map(([cls, msg]) => `Caused by: ${cls}: ${msg}\n\tat x.Y.z(Y.java:1)\n\t... 1 more\n`).join('');
        const trace = `${first}: ${text}\n\tat x.Y.z(Y.java:1)\n${body}`;
        expect(parseTrace(trace)).toEqual({ exception: first, rootCause: causes.at(-1)?.[0] ?? first });
      }),
      { numRuns: 300 },
    );
  });
});
