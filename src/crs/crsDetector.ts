import { loadEngine } from '../catalog/index.js';
import type { CrsSettings } from '../config/crsSettings.js';
import type { NamedLists } from '../detect/compile.js';
import type { Engine, Match } from '../detect/types.js';
import type { HttpObservation, Observation } from '../observe/observation.js';
import { crsMatches } from './crsMatches.js';
import type { CrsEngine } from './engine.js';
import { loadCrs } from './loadCrs.js';
import { crsRequestOf } from './observationRequest.js';

/**
 * Rules that judge a header by its absence (Host 920280, Accept 920300, User-Agent 920320,
 * Content-Length 920180): an access log keeps only some headers, so on its lines absence says
 * nothing and these would flag every line.
 */
const ABSENCE_RULES: ReadonlySet<number> = new Set([920180, 920280, 920300, 920320]);

/** CRS as a sensor runs it: Observations in, bansho's matches out. */
export class CrsDetector {
  constructor(
    readonly engine: CrsEngine,
    private readonly blockingLevel: number,
  ) {}

  static load(settings: CrsSettings): CrsDetector {
    const engine = loadCrs({
      dir: settings.dir,
      paranoiaLevel: settings.paranoiaLevel,
      detectionParanoiaLevel: settings.detectionParanoiaLevel,
      blockStatus: settings.blockStatus,
      exclusions: settings.exclusions,
      ...(settings.inboundThreshold !== null ? { inboundThreshold: settings.inboundThreshold } : {}),
      ...(settings.setupFile !== null ? { setupFile: settings.setupFile } : {}),
    });
    return new CrsDetector(engine, settings.paranoiaLevel);
  }

  get ruleCount(): number {
    return this.engine.ruleSet.ruleCount;
  }

  match(observation: HttpObservation): Match[] {
    const verdict = this.engine.evaluate(
      crsRequestOf(observation),
      undefined,
      observation.sensor === 'logs' ? ABSENCE_RULES : undefined,
    );
    return verdict.matches.length === 0 ? [] : crsMatches(verdict, this.blockingLevel);
  }
}

/** The packs and CRS as one Engine: every sensor runs both on each HTTP request. */
export class EngineWithCrs implements Engine {
  constructor(
    readonly packs: Engine,
    readonly crs: CrsDetector,
  ) {}

  get ruleCount(): number {
    return this.packs.ruleCount + this.crs.ruleCount;
  }

  match(observation: Observation): Match[] {
    const matches = this.packs.match(observation);
    if (observation.kind !== 'http') return matches;
    const fromCrs = this.crs.match(observation);
    return fromCrs.length === 0 ? matches : [...matches, ...fromCrs];
  }
}

/** The packs' engine, with CRS beside it when the settings ask for it. */
export function withCrs(packs: Engine, crs: CrsDetector | null): Engine {
  return crs === null ? packs : new EngineWithCrs(packs, crs);
}

/** The built-in packs (with `lists`), and CRS beside them when `crs` is set: what each sensor's thread loads. */
export function loadPacksWithCrs(lists: NamedLists, crs: CrsSettings | null): Engine {
  return withCrs(loadEngine({ lists }), crs === null ? null : CrsDetector.load(crs));
}
