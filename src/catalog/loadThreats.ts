import { CatalogError } from './catalogError.js';
import { type Threat, threatFileSchema } from './threatSchema.js';
import { loadYamlFile, yamlFilesIn } from './yamlFile.js';

export interface ThreatCatalog {
  get(id: string): Threat | undefined;
  all(): readonly Threat[];
}

export function loadThreatDir(dir: string): ThreatCatalog {
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
  const all = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  return { get: (id) => byId.get(id), all: () => all };
}
