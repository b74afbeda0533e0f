// Runs a stepped computation (a generator, such as renderConnectorSteps) in slices of the event loop: a few
// milliseconds of steps, then a turn for pending I/O, so that a scrape or a probe arriving during the render of a
// large cluster is answered at once instead of after the whole render.

import { setImmediate as nextTurn } from 'node:timers/promises';

/** Longest run of steps between two turns of the event loop (a step may overrun it by its own length). */
const SLICE_MS = 4;

/** Lets pending I/O (a scrape, a probe) run before the caller goes on. */
export function yieldToIo(): Promise<void> {
  return nextTurn();
}

/** Yields first (the caller may have run for a while in this turn already) and last (the caller goes on after it). */
export async function runInSlices<T>(steps: Generator<unknown, T, void>): Promise<T> {
  await nextTurn();
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done === true) {
      await nextTurn();
      return step.value;
    }
    if (performance.now() - sliceStart >= SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
  }
}
