import { prebuiltCatalog, prebuiltEngine, prebuiltFresh } from '../catalog/prebuilt.js';
import type { ThreatCatalog } from '../catalog/threatCatalog.js';
import type { CrsSettings } from '../config/crsSettings.js';
import type { NamedLists } from '../detect/compile.js';
import type { Engine } from '../detect/types.js';

/** What a worker of `bansho analyze` is started with. */
export interface WorkerSetup {
  readonly lists: NamedLists;
  /** CIDRs of proxies in front of the logging server (config `trusted_proxies`). */
  readonly trustedProxies: readonly string[];
  /** The OWASP CRS to run beside the packs (config `crs`, `--crs`), or null. */
  readonly crs: CrsSettings | null;
}

/**
 * A worker's engine and catalog. From the bundle, the build's validated copies
 * (../catalog/prebuilt.ts): neither the YAML reader nor its schemas are loaded, and the literal
 * tables the build computed are read, not computed again in every worker by code still in the
 * interpreter (a tenth of a second of each worker's start). The YAML otherwise: from sources,
 * with a stale copy, or with the CRS. `prebuiltDir` is for tests.
 */
export async function loadWorkerRules(
  setup: WorkerSetup,
  prebuiltDir?: string | null,
): Promise<{ engine: Engine; catalog: ThreatCatalog }> {
  if (setup.crs === null && prebuiltFresh(prebuiltDir)) {
    const engine = prebuiltEngine(setup.lists, prebuiltDir);
    const catalog = prebuiltCatalog(prebuiltDir);
    if (engine !== null && catalog !== null) return { engine, catalog };
  }
  const { loadCatalog, loadEngine } = await import('../catalog/index.js');
  // src/crs only when asked for: it sets V8's regex flags for the whole process.
  const engine =
    setup.crs === null
      ? loadEngine({ lists: setup.lists })
      : (await import('../crs/index.js')).loadPacksWithCrs(setup.lists, setup.crs);
  return { engine, catalog: prebuiltCatalog(prebuiltDir) ?? loadCatalog() };
}
