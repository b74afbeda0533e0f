// The simulator's own errors: it is test support, so its codes are not part of connect-sentinel's contract.

export const SIMULATOR_ERROR_CODES = {
  SIM_ERR_USAGE: 'the command line is invalid',
  SIM_ERR_UNSUPPORTED: 'the simulator was asked for something it does not model',
} as const;

export type SimulatorErrorCode = keyof typeof SIMULATOR_ERROR_CODES;

export class SimulatorError extends Error {
  readonly code: SimulatorErrorCode;
  constructor(code: SimulatorErrorCode, message: string) {
    super(message);
    this.name = 'SimulatorError';
    this.code = code;
  }
}

export function isSimulatorError(error: unknown, code: SimulatorErrorCode): error is SimulatorError {
  return error instanceof SimulatorError && error.code === code;
}
