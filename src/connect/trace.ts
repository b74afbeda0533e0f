// Exception classes from a Java stack trace as Kafka Connect reports it (Throwable.printStackTrace output).
// Only class names ever come out: they become metric labels, and message text can hold anything.

/** Traces are a few kB; beyond this, a trace is garbage and only its head is scanned. */
export const MAX_SCANNED_TRACE_LENGTH = 1024 * 1024;

/** A longer "class name" is message text, not a class. */
const MAX_CLASS_NAME_LENGTH = 512;

/**
 * A package-qualified Java class name, `$` for nested classes. At least one dot: a bare word (`null`, `Error`,
 * the fixture text `trace0`) is far likelier message text than a class in the default package.
 */
const JAVA_CLASS_NAME = /^[\p{L}_$][\p{L}\p{N}_$]*(?:\.[\p{L}_$][\p{L}\p{N}_$]*)+$/u;

const CAUSED_BY = 'Caused by: ';

export interface TraceClasses {
  /** Class of the first line; '' when it is not a class name. */
  exception: string;
  /** Class of the deepest top-level `Caused by:`; `exception` when there is none. */
  rootCause: string;
}

export function parseTrace(trace: string): TraceClasses {
  const text = trace.length > MAX_SCANNED_TRACE_LENGTH ? trace.slice(0, MAX_SCANNED_TRACE_LENGTH) : trace;
  const exception = classOfLine(text, 0);
  let rootCause = exception;
  // Only line starts are looked at. Causes of the top-level chain start at column 0; those inside `Suppressed:`
  // blocks are indented with tabs, so they are skipped on purpose. A `Caused by:` whose class is not
  // class-shaped (message text that happens to start a line) leaves the last valid class in place.
  for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', newline + 1)) {
    if (!text.startsWith(CAUSED_BY, newline + 1)) continue;
    const cause = classOfLine(text, newline + 1 + CAUSED_BY.length);
    if (cause !== '') rootCause = cause;
  }
  return { exception, rootCause };
}

/** The class of `pkg.Class: message` or a bare `pkg.Class` (as Throwable.toString() prints it) starting at `start`. */
function classOfLine(text: string, start: number): string {
  const newline = text.indexOf('\n', start);
  const end = Math.min(newline === -1 ? text.length : newline, start + MAX_CLASS_NAME_LENGTH + 2);
  const line = text.slice(start, end);
  const separator = line.indexOf(': ');
  const candidate = (separator === -1 ? line : line.slice(0, separator)).trim();
  return candidate.length <= MAX_CLASS_NAME_LENGTH && JAVA_CLASS_NAME.test(candidate) ? candidate : '';
}
