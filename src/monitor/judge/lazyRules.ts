import { prebuiltCatalog, prebuiltEngine, prebuiltFresh } from '../../catalog/prebuilt.js';
import type { CrsSettings } from '../../config/crsSettings.js';
import type { NamedLists } from '../../detect/compile.js';
import { NO_REQUEST_MATCHES, type RequestMatches } from '../../detect/requestMatches.js';
import { type RememberingEngine, remembers } from '../../detect/requestMemo.js';
import type { Engine, Match } from '../../detect/types.js';
import type { Observation } from '../../observe/observation.js';

/** What the monitor's judge reads the rules through: built at first use. */
export interface JudgeRules {
  readonly engine: Engine;
  readonly threatName: (threatId: string) => string | undefined;
}

/**
 * The rules and threat names for `bansho monitor`, each built when first asked for: a capture
 * with nothing to judge never builds the engine, one with no detection never reads the
 * catalog. From the bundle the build's validated copies are read (../../catalog/prebuilt.ts),
 * synchronously, on the thread that judges; the YAML reader and its schemas (from sources, or
 * when the copy is stale) and the CRS are imported here, before the capture is read, since the
 * packet path cannot wait for an import.
 */
export async function judgeRules(lists: NamedLists, crs: CrsSettings | null): Promise<JudgeRules> {
  if (crs !== null) {
    // src/crs only when asked for: it sets V8's regex flags for the whole process.
    const { loadPacksWithCrs } = await import('../../crs/index.js');
    const { loadCatalog } = await import('../../catalog/index.js');
    return lazyRules(
      () => loadPacksWithCrs(lists, crs),
      () => prebuiltCatalog() ?? loadCatalog(),
    );
  }
  if (prebuiltFresh()) {
    return lazyRules(
      () => prebuiltEngine(lists) ?? stale(),
      () => prebuiltCatalog() ?? stale(),
    );
  }
  const { loadCatalog, loadEngine } = await import('../../catalog/index.js');
  return lazyRules(
    () => loadEngine({ lists }),
    () => loadCatalog(),
  );
}

function stale(): never {
  throw new Error('the build’s copy of the rule packs (dist/catalog/) changed while bansho ran');
}

function lazyRules(
  engine: () => Engine,
  catalog: () => { get(id: string): { readonly name: string } | undefined },
): JudgeRules {
  let names: ReturnType<typeof catalog> | undefined;
  return {
    engine: new LazyEngine(engine),
    threatName: (id) => {
      names ??= catalog();
      return names.get(id)?.name;
    },
  };
}

/** An engine compiled at its first `match`. */
class LazyEngine implements Engine {
  #engine: Engine | undefined;
  /** The loaded engine, when it remembers requests (asked once, not at every request). */
  #remembering: RememberingEngine | null = null;
  readonly #load: () => Engine;

  constructor(load: () => Engine) {
    this.#load = load;
  }

  get ruleCount(): number {
    return this.#loaded().ruleCount;
  }

  match(observation: Observation) {
    return this.#loaded().match(observation);
  }

  /** The loaded engine's cheap test, or "maybe" where it has none. */
  mayMatch(observation: Observation): boolean {
    const engine = this.#loaded();
    return engine.mayMatch === undefined || engine.mayMatch(observation);
  }

  /**
   * The loaded engine's, or for one that keeps nothing of a request (the CRS's) `match`: its
   * requests are then remembered for their parse alone, and judged in full every time.
   */
  matchRequest(observation: Observation): { matches: Match[]; known: RequestMatches } {
    const engine = this.#loaded();
    const remembering = this.#remembering;
    if (remembering !== null) return remembering.matchRequest(observation);
    return { matches: engine.match(observation), known: NO_REQUEST_MATCHES };
  }

  matchKnown(observation: Observation, known: RequestMatches): Match[] {
    const engine = this.#loaded();
    const remembering = this.#remembering;
    if (remembering !== null) return remembering.matchKnown(observation, known);
    return engine.mayMatch?.(observation) === false ? [] : engine.match(observation);
  }

  #loaded(): Engine {
    if (this.#engine === undefined) {
      const engine = this.#load();
      this.#engine = engine;
      this.#remembering = remembers(engine) ? engine : null;
    }
    return this.#engine;
  }
}
