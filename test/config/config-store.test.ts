import { describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../../src/config/load.ts';
import { parseConfigText } from '../../src/config/load.ts';
import { ConfigStore, type ConfigStoreDeps } from '../../src/config/config-store.ts';
import { SentinelError } from '../../src/errors.ts';

function configText(level: string): string {
  return `clusters:\n  - name: prod\n    url: http://connect:8083\nlog:\n  level: ${level}\n`;
}

function loadText(text: string): Promise<LoadedConfig> {
  return parseConfigText(text, { source: 'sentinel.yaml', baseDir: '/' });
}

/** A loader that serves whatever text the test puts in `file`, and counts its calls. */
function harness(initialText: string) {
  const state = { text: initialText, loads: 0, nowMs: 1_000_000, listenerErrors: [] as unknown[] };
  const deps: ConfigStoreDeps = {
    load: () => {
      state.loads++;
      return loadText(state.text);
    },
    now: () => state.nowMs,
    onListenerError: (error) => state.listenerErrors.push(error),
  };
  return { state, deps };
}

describe('ConfigStore', () => {
  it('opens with the initial config and reports it as a successful load', async () => {
    const { state, deps } = harness(configText('info'));
    const store = await ConfigStore.open(deps);
    expect(store.current().log.level).toBe('info');
    expect(store.lastReloadSuccessTimestampSeconds()).toBe(1000);
    expect(state.loads).toBe(1);
  });

  it('refuses to open with an invalid config', async () => {
    const { deps } = harness('clusters: []\n');
    await expect(ConfigStore.open(deps)).rejects.toThrow('sentinel.yaml: clusters: must not be empty');
  });

  it('swaps in a changed config and tells the listeners', async () => {
    const { state, deps } = harness(configText('info'));
    const store = await ConfigStore.open(deps);
    const seen: string[] = [];
    store.onChange((next, previous) => seen.push(`${previous.log.level}->${next.log.level}`));
    state.text = configText('debug');
    state.nowMs = 5_000_000;
    const result = await store.reload();
    expect(result).toMatchObject({ ok: true, changed: true });
    expect(store.current().log.level).toBe('debug');
    expect(seen).toEqual(['info->debug']);
    expect(store.lastReloadSuccessTimestampSeconds()).toBe(5000);
  });

  it('keeps the old config when a reload fails, and says so', async () => {
    const { state, deps } = harness(configText('info'));
    const store = await ConfigStore.open(deps);
    const before = store.current();
    let notified = false;
    store.onChange(() => {
      notified = true;
    });
    state.text = configText('loud');
    state.nowMs = 9_000_000;
    const result = await store.reload();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('CS_ERR_CONFIG_INVALID');
      expect(result.error.message).toBe('sentinel.yaml: log.level: must be one of trace, debug, info, warn, error, fatal, got "loud"');
    }
    expect(store.current()).toBe(before);
    expect(store.lastReloadSuccessTimestampSeconds()).toBe(1000);
    expect(notified).toBe(false);

    state.text = configText('warn');
    expect((await store.reload()).ok).toBe(true);
  });

  it('treats an unchanged config as a successful no-op', async () => {
    const { state, deps } = harness(configText('info'));
    const store = await ConfigStore.open(deps);
    const before = store.current();
    let notified = 0;
    store.onChange(() => notified++);
    state.nowMs = 2_000_000;
    const result = await store.reload();
    expect(result).toEqual({ ok: true, changed: false, config: before });
    expect(store.current()).toBe(before);
    expect(notified).toBe(0);
    expect(store.lastReloadSuccessTimestampSeconds()).toBe(2000);
  });

  it('lets concurrent reloads share one load', async () => {
    const { state, deps } = harness(configText('info'));
    let release: (loaded: LoadedConfig) => void = () => undefined;
    const pending = new Promise<LoadedConfig>((resolve) => {
      release = resolve;
    });
    const store2 = new ConfigStore(await loadText(configText('info')), {
      ...deps,
      load: () => {
        state.loads++;
        return pending;
      },
    });
    const loadsBefore = state.loads;
    const calls = [store2.reload(), store2.reload(), store2.reload()];
    expect(state.loads).toBe(loadsBefore + 1);
    release(await loadText(configText('error')));
    const results = await Promise.all(calls);
    expect(results[0]).toBe(results[1]);
    expect(results[1]).toBe(results[2]);
    expect(store2.current().log.level).toBe('error');

    // Once settled, the next reload loads again.
    await store2.reload();
    expect(state.loads).toBe(loadsBefore + 2);
  });

  it('sees a rotated secret file as a change even though the config file is the same', async () => {
    const text = `${configText('info')}api:\n  tokenFile: /token\n`;
    const files = { token: 'first' };
    const load = () => parseConfigText(text, { source: 'sentinel.yaml', baseDir: '/', readFile: async () => files.token });
    const store = await ConfigStore.open({ load, now: () => 0, onListenerError: () => undefined });
    expect((await store.reload()).ok && store.current().api.token?.reveal()).toBe('first');
    files.token = 'second';
    const result = await store.reload();
    expect(result).toMatchObject({ ok: true, changed: true });
    expect(store.current().api.token?.reveal()).toBe('second');
  });

  it('hands a throwing listener\'s error on and still notifies the others', async () => {
    const { state, deps } = harness(configText('info'));
    const store = await ConfigStore.open(deps);
    const boom = new Error('listener bug');
    const seen: string[] = [];
    store.onChange(() => {
      throw boom;
    });
    const unsubscribe = store.onChange((next) => seen.push(next.log.level));
    state.text = configText('debug');
    expect((await store.reload()).ok).toBe(true);
    expect(state.listenerErrors).toEqual([boom]);
    expect(seen).toEqual(['debug']);

    unsubscribe();
    state.text = configText('warn');
    await store.reload();
    expect(seen).toEqual(['debug']);
  });

  it('wraps a loader failure that is not a SentinelError', async () => {
    const { deps } = harness(configText('info'));
    const broken = new ConfigStore(await loadText(configText('info')), { ...deps, load: () => Promise.reject(new TypeError('bug')) });
    const result = await broken.reload();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBeInstanceOf(SentinelError);
      expect(result.error.message).toBe('loading the configuration failed: TypeError: bug');
    }
  });
});
