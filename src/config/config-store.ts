// Holds the current config and swaps it atomically on reload: a failed reload keeps the old config, and the outcome
// is kept as the values of the `…_config_last_reload_successful` and `…_success_timestamp_seconds` metrics.

import { SentinelError } from '../errors.ts';
import type { LoadedConfig } from './load.ts';
import type { Config } from './schema.ts';

export type ReloadResult =
  /** `changed: false`: the config and the files it names are unchanged, so nothing was swapped or announced. */
  | { ok: true; changed: boolean; config: Config }
  | { ok: false; error: SentinelError };

export type ConfigListener = (next: Config, previous: Config) => void;

export interface ConfigStoreDeps {
  /** Loads the config afresh (file or flags); rejects with a SentinelError saying what is wrong. */
  load: () => Promise<LoadedConfig>;
  /** Unix ms. */
  now: () => number;
  /** A listener threw: the new config is in place regardless; the error is handed here (to log it). */
  onListenerError: (error: unknown) => void;
}

function asSentinelError(err: unknown): SentinelError {
  if (err instanceof SentinelError) return err;
  return new SentinelError('CS_ERR_CONFIG_READ', `loading the configuration failed: ${String(err)}`, { cause: err });
}

export class ConfigStore {
  readonly #deps: ConfigStoreDeps;
  readonly #listeners = new Set<ConfigListener>();
  #loaded: LoadedConfig;
  #inFlight: Promise<ReloadResult> | undefined;
  #lastReloadSuccessMs: number;

  constructor(initial: LoadedConfig, deps: ConfigStoreDeps) {
    this.#deps = deps;
    this.#loaded = initial;
    this.#lastReloadSuccessMs = deps.now();
  }

  /** Loads the initial config; rejects (with the loader's SentinelError) when it is invalid. */
  static async open(deps: ConfigStoreDeps): Promise<ConfigStore> {
    return new ConfigStore(await deps.load(), deps);
  }

  current(): Config {
    return this.#loaded.config;
  }

  /** Unix seconds of the last successful load or reload (an unchanged reload counts). */
  lastReloadSuccessTimestampSeconds(): number {
    return this.#lastReloadSuccessMs / 1000;
  }

  /** Called after each reload that changed the config. Returns a function that removes the listener. */
  onChange(listener: ConfigListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reloads; calls made while a reload is running share its result. Never rejects. */
  reload(): Promise<ReloadResult> {
    this.#inFlight ??= this.#reload().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #reload(): Promise<ReloadResult> {
    let next: LoadedConfig;
    try {
      next = await this.#deps.load();
    } catch (err) {
      return { ok: false, error: asSentinelError(err) };
    }
    this.#lastReloadSuccessMs = this.#deps.now();
    if (next.digest === this.#loaded.digest) return { ok: true, changed: false, config: this.#loaded.config };
    const previous = this.#loaded.config;
    this.#loaded = next;
    for (const listener of this.#listeners) {
      try {
        listener(next.config, previous);
      } catch (err) {
        this.#deps.onListenerError(err);
      }
    }
    return { ok: true, changed: true, config: next.config };
  }
}
