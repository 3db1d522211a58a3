import { type ContactCard, readJCard } from './jcard.js';

/** An entity with the `abuse` role, as found in an RDAP answer. */
export interface AbuseEntity extends ContactCard {
  readonly handle: string | null;
  /** How deep it was nested: 1 for the network's own entities, 2 for theirs, … */
  readonly depth: number;
}

interface RdapEntity {
  handle?: unknown;
  roles?: unknown;
  vcardArray?: unknown;
  entities?: unknown;
}

/** Registries nest entities (ARIN: network → organisation → abuse contact); a bound keeps a hostile answer finite. */
const MAX_DEPTH = 8;

/**
 * The abuse contact of an RDAP object: the shallowest entity with the `abuse` role (RFC 9083
 * §10.2.4) that has an e-mail address, walking nested entities breadth first — the shallowest
 * is the one registered for this network rather than for an organisation above it. An abuse
 * entity without an address is returned only when no entity has one.
 */
export function findAbuseEntity(object: unknown): AbuseEntity | null {
  let level = entitiesOf(object);
  let withoutEmail: AbuseEntity | null = null;
  for (let depth = 1; depth <= MAX_DEPTH && level.length > 0; depth++) {
    const next: RdapEntity[] = [];
    for (const entity of level) {
      if (hasAbuseRole(entity)) {
        const found: AbuseEntity = {
          ...readJCard(entity.vcardArray),
          handle: typeof entity.handle === 'string' ? entity.handle : null,
          depth,
        };
        if (found.emails.length > 0) return found;
        withoutEmail ??= found;
      }
      next.push(...entitiesOf(entity));
    }
    level = next;
  }
  return withoutEmail;
}

function entitiesOf(object: unknown): RdapEntity[] {
  const list = (object as { entities?: unknown } | null)?.entities;
  return Array.isArray(list) ? list.filter((e): e is RdapEntity => e !== null && typeof e === 'object') : [];
}

function hasAbuseRole(entity: RdapEntity): boolean {
  return Array.isArray(entity.roles) && entity.roles.some((r) => typeof r === 'string' && r.toLowerCase() === 'abuse');
}
