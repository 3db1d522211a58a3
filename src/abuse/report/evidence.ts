import type { SecurityEvent } from '../../events/securityEvent.js';
import { flowLines } from '../../monitor/evidence/flowLines.js';
import { hasThreat } from './incident.js';
import { quoteExactly } from './quote.js';
import type { Redactor } from './redact.js';

/** One event's evidence as a report quotes it. */
export interface EvidenceEntry {
  readonly time: number;
  readonly sensor: string;
  readonly action: string;
  readonly threatId: string | null;
  readonly sourcePort: number | null;
  readonly destinationPort: number | null;
  /** The request line, log lines or packet-log lines, redacted and quoted. */
  readonly lines: readonly string[];
}

export interface EvidenceLimits {
  /** Lines in the whole report. */
  readonly maxLines: number;
  /** Characters of one line before it is cut. */
  readonly maxLineChars: number;
}

export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = { maxLines: 40, maxLineChars: 512 };

export interface Evidence {
  readonly entries: readonly EvidenceEntry[];
  /** Events with evidence left out to keep within `maxLines`. */
  readonly omittedEvents: number;
}

/**
 * The evidence of an incident's threat events, oldest first: each event's own lines (request
 * line, log lines behind a behaviour finding) and the packet-log excerpt the monitor kept,
 * redacted, quoted exactly and bounded. Pure.
 */
export function evidenceOf(events: readonly SecurityEvent[], redactor: Redactor, limits: EvidenceLimits): Evidence {
  const entries: EvidenceEntry[] = [];
  let lineCount = 0;
  let omitted = 0;
  for (const e of events) {
    if (!hasThreat(e)) continue;
    const raw = [...(e.bansho.evidence ?? e.url?.original ?? '').split('\n'), ...packetLog(e)].filter((l) => l !== '');
    if (raw.length === 0) continue;
    const room = limits.maxLines - lineCount;
    if (room <= 0) {
      omitted++;
      continue;
    }
    const lines = raw.slice(0, room).map((l) => quoteExactly(redactor.line(l), limits.maxLineChars));
    if (raw.length > room) lines.push(`[… ${raw.length - room} more lines of this event cut]`);
    lineCount += lines.length;
    entries.push({
      time: Date.parse(e['@timestamp']),
      sensor: e.bansho.sensor,
      action: e.event.action,
      threatId: e.threat?.software?.id ?? null,
      sourcePort: e.source.port && e.source.port > 0 ? e.source.port : null,
      destinationPort: e.destination?.port ?? null,
      lines,
    });
  }
  return { entries, omittedEvents: omitted };
}

/** The packet-log lines of a flow the monitor stored, if any (rendered from its packet records). */
function packetLog(e: SecurityEvent): string[] {
  return flowLines(e.bansho.flow);
}
