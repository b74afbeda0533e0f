// The root logger. Secrets are kept out by construction (Secret values print as <redacted>, errors never carry
// credentials); the redact list is a second line of defence for fields that must never be logged whatever they hold.

import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'config',
  '*.config',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'connect-sentinel' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '<redacted>' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
