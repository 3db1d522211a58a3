/** What a finding asks for: record only, answer 400 and close, or ban the source. */
export type RuleAction = 'log' | 'block' | 'ban';

/** Severity words, least first (ECS `event.severity` numbers: src/events/toEvent.ts). */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

export type Severity = (typeof SEVERITIES)[number];
