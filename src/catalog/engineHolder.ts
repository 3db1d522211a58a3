import { EventEmitter } from 'node:events';
import { type FSWatcher, watch } from 'node:fs';
import type { NamedLists } from '../detect/compile.js';
import type { RuleEngine } from '../detect/engine.js';
import { CatalogError } from './catalogError.js';
import { type LoadedRule, loadRuleDir } from './loadRules.js';
import { loadThreatDir, type ThreatCatalog } from './loadThreats.js';
import { BUILTIN_RULES_DIR, BUILTIN_THREATS_DIR } from './paths.js';

export interface EngineHolderOptions {
  readonly rulesDir?: string;
  readonly catalogDir?: string;
  readonly lists?: NamedLists;
  /** Quiet period after the last file event before reloading. */
  readonly debounceMs?: number;
}

export type ReloadResult = { ok: true; rules: number } | { ok: false; error: CatalogError };

interface Loaded {
  engine: RuleEngine;
  catalog: ThreatCatalog;
  rules: readonly LoadedRule[];
}

/**
 * Holds the engine and catalog in force and swaps them atomically on reload. Requests in
 * flight keep the engine they started with; a broken file leaves the old pair in force.
 * Events: `reload` (ReloadResult with ok) and `error` (CatalogError) — listen to `error`,
 * or EventEmitter will throw it.
 */
export class EngineHolder extends EventEmitter {
  private readonly rulesDir: string;
  private readonly catalogDir: string;
  private readonly lists: NamedLists;
  private readonly debounceMs: number;
  private current: Loaded;
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private signalHandlers: Array<[NodeJS.Signals, () => void]> = [];

  constructor(options: EngineHolderOptions = {}) {
    super();
    this.rulesDir = options.rulesDir ?? BUILTIN_RULES_DIR;
    this.catalogDir = options.catalogDir ?? BUILTIN_THREATS_DIR;
    this.lists = options.lists ?? {};
    this.debounceMs = options.debounceMs ?? 150;
    this.current = this.load();
  }

  get engine(): RuleEngine {
    return this.current.engine;
  }

  get catalog(): ThreatCatalog {
    return this.current.catalog;
  }

  get rules(): readonly LoadedRule[] {
    return this.current.rules;
  }

  reload(): ReloadResult {
    try {
      this.current = this.load();
      const result = { ok: true, rules: this.current.engine.ruleCount } as const;
      this.emit('reload', result);
      return result;
    } catch (err) {
      if (!(err instanceof CatalogError)) throw err;
      if (this.listenerCount('error') > 0) this.emit('error', err);
      return { ok: false, error: err };
    }
  }

  watch(): void {
    if (this.watchers.length > 0) return;
    for (const dir of new Set([this.rulesDir, this.catalogDir])) {
      const watcher = watch(dir, () => this.schedule());
      watcher.on('error', (err) => {
        if (this.listenerCount('error') > 0)
          this.emit(
            'error',
            new CatalogError({ code: 'E_CATALOG_IO', file: dir, line: 0, key: '', message: err.message }),
          );
      });
      this.watchers.push(watcher);
    }
  }

  /** Reload when the process receives `signal` (SIGHUP by default), as daemons do. Undone by close(). */
  reloadOnSignal(signal: NodeJS.Signals = 'SIGHUP'): void {
    const handler = () => {
      this.reload();
    };
    process.on(signal, handler);
    this.signalHandlers.push([signal, handler]);
  }

  close(): void {
    for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
    this.signalHandlers = [];
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  private schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reload();
    }, this.debounceMs);
  }

  private load(): Loaded {
    const catalog = loadThreatDir(this.catalogDir);
    const { engine, rules } = loadRuleDir(this.rulesDir, this.lists);
    checkThreatsExist(rules, catalog);
    return { engine, catalog, rules };
  }
}

/** Every rule must name a threat the catalog knows, so events can always carry a name. */
export function checkThreatsExist(rules: readonly LoadedRule[], catalog: ThreatCatalog): void {
  for (const rule of rules) {
    if (catalog.get(rule.spec.threat) === undefined)
      throw new CatalogError({
        code: 'E_CATALOG_REF',
        file: rule.file,
        line: rule.line,
        key: `${rule.spec.id}.threat`,
        message: `unknown threat ${rule.spec.threat}`,
      });
  }
}
