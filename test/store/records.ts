import type { SecurityEvent } from '../../src/events/securityEvent.js';
import type { Ban } from '../../src/store/types.js';

/** A minimal stored event. */
export function storeEvent(id: string, ip: string, ts = '2026-01-01T00:00:00Z'): SecurityEvent {
  return {
    '@timestamp': ts,
    message: 'test',
    event: {
      id,
      kind: 'alert',
      category: ['intrusion_detection'],
      type: ['denied'],
      action: 'blocked',
      module: 'bansho',
      dataset: 'bansho.gateway',
    },
    source: { ip },
    bansho: { sensor: 'gateway' },
  };
}

/** A ban on `target` lasting an hour from `since`. */
export function storeBan(target: string, since = Date.now(), offence = 1): Ban {
  return { target, since, until: since + 3_600_000, reason: 'test', threatId: null, offence, origin: 'auto' };
}
