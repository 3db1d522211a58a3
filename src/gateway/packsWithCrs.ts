import type { EngineHolder } from '../catalog/index.js';
import type { CrsSettings } from '../config/crsSettings.js';
import type { CrsDetector } from '../crs/index.js';
import type { Engine } from '../detect/types.js';
import type { DetectionSource } from './gateway.js';

export type CrsReload = { ok: true; detector: CrsDetector | null } | { ok: false; message: string };

type CrsModule = typeof import('../crs/index.js');

/**
 * The holder's packs with CRS beside them, each reloadable on its own: a reload of the packs
 * gets CRS beside the new ones, and a reload of CRS (SIGHUP) swaps the detector whole, so a
 * request in flight keeps the pair it started with and a CRS that fails to load leaves the
 * one in force. src/crs is imported only when CRS is configured: it sets V8's regex flags for
 * the whole process.
 */
export class PacksWithCrs implements DetectionSource {
  private detector: CrsDetector | null = null;
  private crsModule: CrsModule | null = null;
  private packs: Engine | null = null;
  private combined: Engine | null = null;

  private constructor(private readonly holder: EngineHolder) {}

  /** Throws when CRS fails to load: a broken CRS stops the start, as a broken pack does. */
  static async start(holder: EngineHolder, settings: CrsSettings | null): Promise<PacksWithCrs> {
    const source = new PacksWithCrs(holder);
    if (settings !== null) source.detector = await source.load(settings);
    return source;
  }

  get crs(): CrsDetector | null {
    return this.detector;
  }

  get engine(): Engine {
    const packs = this.holder.engine;
    if (packs !== this.packs || this.combined === null) {
      this.packs = packs;
      this.combined =
        this.detector === null || this.crsModule === null ? packs : this.crsModule.withCrs(packs, this.detector);
    }
    return this.combined;
  }

  get catalog(): EngineHolder['catalog'] {
    return this.holder.catalog;
  }

  /** CRS loaded anew from `settings` (null: CRS off); on failure the rules in force stay. */
  async reload(settings: CrsSettings | null): Promise<CrsReload> {
    try {
      const detector = settings === null ? null : await this.load(settings);
      this.detector = detector;
      this.combined = null;
      return { ok: true, detector };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  private async load(settings: CrsSettings): Promise<CrsDetector> {
    this.crsModule ??= await import('../crs/index.js');
    return this.crsModule.CrsDetector.load(settings);
  }
}
