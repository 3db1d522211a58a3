import type { Threat } from './threatSchema.js';

export interface ThreatCatalog {
  get(id: string): Threat | undefined;
  all(): readonly Threat[];
}

/** The catalog of validated threats, sorted by id. */
export function threatCatalog(threats: readonly Threat[]): ThreatCatalog {
  const byId = new Map(threats.map((t) => [t.id, t]));
  return { get: (id) => byId.get(id), all: () => threats };
}

export function isThreatList(v: unknown): v is Threat[] {
  return Array.isArray(v) && v.every((t) => typeof t?.id === 'string' && typeof t.name === 'string');
}
