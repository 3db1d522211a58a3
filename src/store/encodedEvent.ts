import type { EventAction, SecurityEvent } from '../events/securityEvent.js';

/**
 * A SecurityEvent as the store keeps it: the columns it indexes and the JSON document. Producers
 * that already hold the JSON (a log analysed on worker threads sends it as text) hand this to
 * the store without building the event object again.
 */
export interface EncodedEvent {
  readonly id: string;
  /** `@timestamp`, ms since the epoch. */
  readonly ts: number;
  readonly action: EventAction;
  readonly sourceIp: string;
  readonly threatId: string | null;
  readonly ruleId: string | null;
  /** `JSON.stringify` of the event. */
  readonly json: string;
}

/** The columns the store indexes, but the id. */
export type EventColumns = Omit<EncodedEvent, 'id' | 'json'>;

export function encodeEvent(event: SecurityEvent): EncodedEvent {
  return { id: event.event.id, ...eventColumns(event), json: JSON.stringify(event) };
}

export function eventColumns(event: SecurityEvent): EventColumns {
  return {
    ts: Date.parse(event['@timestamp']),
    action: event.event.action,
    sourceIp: event.source.ip,
    threatId: event.threat?.software?.id ?? null,
    ruleId: event.rule?.id ?? null,
  };
}
