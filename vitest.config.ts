import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts', 'alerts/**/*.test.ts', 'dashboards/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Whole-service tests bind loopback ports and start real Prometheus; keep them from starving each other on 2 cores.
    maxWorkers: 2,
  },
});
