import { describe, expect, it } from 'vitest';
import { isSimulatorError } from '../src/errors.ts';
import { parseSimulatorArgs } from '../src/cli.ts';

function usageError(argv: string[]): string {
  try {
    parseSimulatorArgs(argv);
  } catch (err) {
    if (isSimulatorError(err, 'SIM_ERR_USAGE')) return err.message;
    throw err;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('parseSimulatorArgs', () => {
  it('has defaults for everything', () => {
    expect(parseSimulatorArgs([])).toEqual({
      version: '3.9.0',
      host: '127.0.0.1',
      port: 8083,
      scenario: 'demo',
      basicAuth: undefined,
      tlsCertFile: undefined,
      tlsKeyFile: undefined,
      restartMode: 'auto',
      restartDelayMs: 2000,
      scenarioIntervalMs: 30_000,
      fleet: undefined,
    });
  });

  it('reads every flag, in both spellings', () => {
    const cli = parseSimulatorArgs([
      '--kafka-version', '7.5.0-ccs', '--port=0', '--scenario', 'none', '--basic-auth', 'admin:se:cret',
      '--restart-mode=manual', '--fleet', '100', '--tasks-per-connector', '5', '--failed-share', '0.05', '--seed', '3',
    ]);
    expect(cli).toMatchObject({
      version: '7.5.0-ccs',
      port: 0,
      scenario: undefined,
      basicAuth: { username: 'admin', password: 'se:cret' },
      restartMode: 'manual',
      fleet: { connectors: 100, tasksPerConnector: 5, failedShare: 0.05, seed: 3 },
    });
    expect(parseSimulatorArgs(['--help'])).toEqual({ help: true });
  });

  it('refuses what it cannot use, saying why', () => {
    expect(usageError(['--scenario', 'chaos'])).toBe('--scenario must be one of demo, worker-restart, slow-herder, none, not "chaos"');
    expect(usageError(['--port', '99999'])).toBe('--port must be an integer from 0 to 65535, not "99999"');
    expect(usageError(['--basic-auth', 'nocolon'])).toBe('--basic-auth must be USER:PASSWORD');
    expect(usageError(['--failed-share', '2'])).toBe('--failed-share must be a number from 0 to 1, not "2"');
    expect(usageError(['--tls-cert', 'a.pem'])).toBe('--tls-cert and --tls-key go together');
    expect(usageError(['--restart-mode', 'sometimes'])).toBe('--restart-mode must be auto or manual, not "sometimes"');
    expect(usageError(['--bogus'])).toMatch(/bogus/);
  });
});
