import { describe, expect, it } from 'vitest';
import { kafkaProfile } from '../src/version.ts';
import { isSimulatorError } from '../src/errors.ts';

describe('kafkaProfile', () => {
  it('maps Confluent Platform versions to the Kafka version their features follow', () => {
    expect(kafkaProfile('7.5.0-ccs').kafka).toEqual({ major: 3, minor: 5 });
    expect(kafkaProfile('6.1.0-ccs').kafka).toEqual({ major: 2, minor: 7 });
    expect(kafkaProfile('5.5.6-ccs').kafka).toEqual({ major: 2, minor: 5 });
    expect(kafkaProfile('8.0.0-ccs').kafka).toEqual({ major: 4, minor: 0 });
    expect(kafkaProfile('7.3.0-cc-docker-ksql.119-33-ccs').kafka).toEqual({ major: 3, minor: 3 });
    expect(kafkaProfile('3.9.0').kafka).toEqual({ major: 3, minor: 9 });
  });

  it('switches features on at the version that introduced them', () => {
    const has = (version: string) => kafkaProfile(version).has;
    expect(has('2.2.2')('expand')).toBe(false);
    expect(has('2.3.0')('expand')).toBe(true);
    expect(has('2.9.9')('restartPlan')).toBe(false);
    expect(has('3.0.0')('restartPlan')).toBe(true);
    expect(has('3.4.1')('stop')).toBe(false);
    expect(has('7.5.0-ccs')('stop')).toBe(true);
    expect(has('3.6.2')('stagedTimeouts')).toBe(false);
    expect(has('3.7.0')('stagedTimeouts')).toBe(true);
    expect(has('3.8.0')('health')).toBe(false);
    expect(has('3.9.0')('health')).toBe(true);
    expect(has('4.0.0')('statusVersion')).toBe(false);
    expect(has('4.1.0')('statusVersion')).toBe(true);
    expect(has('2.1.1')('currentKeyOrder')).toBe(false);
    expect(has('2.2.0')('currentKeyOrder')).toBe(true);
  });

  it('knows that tasks-config came in 2.8 and went in 4.0', () => {
    expect(kafkaProfile('2.7.0').has('tasksConfig')).toBe(false);
    expect(kafkaProfile('2.8.0').has('tasksConfig')).toBe(true);
    expect(kafkaProfile('3.9.0').has('tasksConfig')).toBe(true);
    expect(kafkaProfile('4.0.0').has('tasksConfig')).toBe(false);
  });

  it("reports the Jetty of the release in the Server header", () => {
    expect(kafkaProfile('3.4.0').server).toBe('Jetty(9.4.48.v20220622)');
    expect(kafkaProfile('3.9.0').server).toBe('Jetty(9.4.56.v20240826)');
    expect(kafkaProfile('2.2.2').server).toBe('Jetty(9.4.14.v20181114)');
    expect(kafkaProfile('4.1.0').server).toBe('Jetty(12.0.22)');
  });

  it('uses the WorkerTask line numbers of the release (§8 fingerprints)', () => {
    expect(kafkaProfile('2.5.0').traceLines).toMatchObject({ workerTaskDoRun: 184, workerTaskRun: 234, sinkDeliver: 568 });
    expect(kafkaProfile('3.9.0').traceLines).toMatchObject({ workerTaskDoRun: 226, workerTaskRun: 281, sourceExecute: 354, sourcePoll: 466 });
    // A version between rows takes the latest row before it.
    expect(kafkaProfile('3.6.1').traceLines.workerTaskDoRun).toBe(204);
  });

  it('refuses a version without MAJOR.MINOR', () => {
    let caught: unknown;
    try {
      kafkaProfile('latest');
    } catch (err) {
      caught = err;
    }
    expect(isSimulatorError(caught, 'SIM_ERR_UNSUPPORTED')).toBe(true);
  });
});
