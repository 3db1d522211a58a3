import { CatalogError } from './catalogError.js';
import { snapshotSlot } from './snapshotCache.js';
import { isThreatList, type ThreatCatalog, threatCatalog } from './threatCatalog.js';
import { type Threat, threatFileSchema } from './threatSchema.js';
import { loadYamlFile, yamlFilesIn } from './yamlFile.js';

export type { ThreatCatalog } from './threatCatalog.js';

/** Every threat file in `dir`, validated; read from its snapshot when it loaded cleanly before. */
export function loadThreatDir(dir: string): ThreatCatalog {
  const slot = snapshotSlot('threats', dir, isThreatList);
  const threats = slot.value ?? loadThreatYaml(dir);
  if (slot.value === null) slot.save(threats);
  return threatCatalog(threats);
}

/** The threats sorted by id; a duplicate id throws. */
function loadThreatYaml(dir: string): Threat[] {
  const byId = new Map<string, Threat>();
  for (const file of yamlFilesIn(dir)) {
    const located = loadYamlFile(file, threatFileSchema);
    located.data.threats.forEach((threat, i) => {
      if (byId.has(threat.id))
        throw new CatalogError({
          code: 'E_CATALOG_REF',
          file,
          line: located.lineOf(['threats', i, 'id']),
          key: `threats.${i}.id`,
          message: `duplicate threat id ${threat.id}`,
        });
      byId.set(threat.id, threat);
    });
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}
