import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import type { Severity } from '../detect/severity.js';
import type { EventAction, SecurityEvent, SensorName } from './securityEvent.js';

/** ECS `event.severity` numbers for our severity words. */
export const SEVERITY_NUMBER: Readonly<Record<Severity, number>> = {
  info: 10,
  low: 25,
  medium: 50,
  high: 75,
  critical: 100,
};

/**
 * The `event` block of a detection or a decision on one (ECS: a network intrusion-detection
 * event, typed by its action), shared by every producer of such events.
 */
export function detectionHeader(o: {
  readonly id: string;
  readonly kind: 'alert' | 'event';
  readonly action: EventAction;
  readonly sensor: SensorName;
  readonly severity?: number;
}): SecurityEvent['event'] {
  return {
    id: o.id,
    kind: o.kind,
    category: ['network', 'intrusion_detection'],
    type: typesFor(o.action),
    action: o.action,
    outcome: 'success',
    module: 'bansho',
    dataset: `bansho.${o.sensor}`,
    ...(o.severity !== undefined ? { severity: o.severity } : {}),
  };
}

/** Node's one-shot digest (≥ 20.12): no Hash object per id, a fraction of createHash's cost. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash;

/** A stable, short id for content-derived events. */
export function hashId(key: string): string {
  const digest = oneShot ? oneShot('sha256', key, 'base64url') : createHash('sha256').update(key).digest('base64url');
  return digest.slice(0, 22);
}

function typesFor(action: EventAction): string[] {
  switch (action) {
    case 'blocked':
    case 'dropped':
      return ['denied'];
    case 'banned':
      return ['denied', 'creation'];
    case 'unbanned':
      return ['deletion'];
    case 'flow':
      return ['connection'];
    case 'detected':
      return ['indicator'];
  }
}
