import { CatalogError } from './catalogError.js';
import { snapshotSlot } from './snapshotCache.js';
import { type Threat, threatFileSchema } from './threatSchema.js';
import { loadYamlFile, yamlFilesIn } from './yamlFile.js';

export interface ThreatCatalog {
  get(id: string): Threat | undefined;
  all(): readonly Threat[];
}

/** Every threat file in `dir`, validated; read from its snapshot when it loaded cleanly before. */
export function loadThreatDir(dir: string): ThreatCatalog {
  const slot = snapshotSlot('threats', dir, isThreatList);
  const threats = slot.value ?? loadThreatYaml(dir);
  if (slot.value === null) slot.save(threats);
  const byId = new Map(threats.map((t) => [t.id, t]));
  return { get: (id) => byId.get(id), all: () => threats };
}

function isThreatList(v: unknown): v is Threat[] {
  return Array.isArray(v) && v.every((t) => typeof t?.id === 'string' && typeof t.name === 'string');
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
