import { EVIDENCE_VALUE_CHARS as EVIDENCE_LIMIT, type Match } from '../detect/finding.js';
import type { CrsVerdict } from './engine.js';
import type { CrsMatch } from './evaluateRule.js';
import { anomalyScoreOf, severityOf, threatOfClass } from './threatClass.js';

/**
 * CRS's verdict as bansho's matches, one per logged CRS rule (`crs-942100`): the message, the
 * tags, the matched variable and value, the threat of its attack class. The rule that blocked
 * (949110, or a deny of its own) is the match with action `block` and the status CRS asked for.
 *
 * What the matches add to the source's score follows CRS's own semantics: the anomaly score is
 * the request's, and the decision is the inbound threshold. A request that reaches it (blocked,
 * or would be in DetectionOnly and in the sensors that do not block) adds what each match
 * added to the blocking score — nothing for rules above the blocking paranoia level, which only
 * log. A request below it adds nothing: a notice such as a numeric Host header (920350) is
 * reported, but a hundred of them do not make a source an attacker.
 */
export function crsMatches(verdict: CrsVerdict, blockingLevel: number): Match[] {
  const out: Match[] = [];
  const mainThreat = mainAttack(verdict.matches);
  const scoring = verdict.blocked || verdict.inboundScore >= verdict.inboundThreshold ? blockingLevel : 0;
  let blockingSeen = false;
  for (const m of verdict.matches) {
    const blocking = verdict.blocked && m.ruleId === verdict.blockedBy;
    blockingSeen ||= blocking;
    out.push(toMatch(m, blocking ? verdict.status : null, scoring, mainThreat));
  }
  if (verdict.blocked && !blockingSeen && verdict.blockedBy !== null) {
    // A blocking rule with nolog still refuses: it is reported all the same.
    out.push({
      family: 'rule',
      ruleId: `crs-${verdict.blockedBy}`,
      ruleName: `CRS rule ${verdict.blockedBy} blocked the request`,
      threatId: threatOfClass(mainThreat),
      severity: 'critical',
      score: 0,
      action: 'block',
      field: '',
      value: '',
      tags: ['OWASP_CRS'],
      ...(verdict.status !== null ? { status: verdict.status } : {}),
    });
  }
  return out;
}

/** `scoringLevel`: the highest paranoia level whose matches score (0: none does). */
function toMatch(m: CrsMatch, blockStatus: number | null, scoringLevel: number, mainThreat: string | null): Match {
  const value = m.matchedData;
  return {
    family: 'rule',
    ruleId: `crs-${m.ruleId}`,
    ruleName: m.msg === '' ? `CRS rule ${m.ruleId}` : m.msg,
    // The anomaly evaluation has no class of its own: it blocks for the attack that scored.
    threatId: threatOfClass(m.attack ?? mainThreat),
    severity: severityOf(m.severity),
    score: paranoiaLevelOf(m.tags) <= scoringLevel ? anomalyScoreOf(m.severity) : 0,
    action: blockStatus !== null ? 'block' : 'log',
    field: m.matchedVar,
    value: value.length > EVIDENCE_LIMIT ? value.slice(0, EVIDENCE_LIMIT) : value,
    tags: m.tags,
    ...(blockStatus !== null ? { status: blockStatus } : {}),
  };
}

/** A detection rule's `paranoia-level/N` tag; rules without one (scoring, evaluation) add nothing. */
function paranoiaLevelOf(tags: readonly string[]): number {
  for (const t of tags) if (t.startsWith('paranoia-level/')) return Number(t.slice('paranoia-level/'.length));
  return Number.POSITIVE_INFINITY;
}

/** The attack class of the match that scored most (the first of equals): what a block is for. */
function mainAttack(matches: readonly CrsMatch[]): string | null {
  let best: CrsMatch | null = null;
  for (const m of matches)
    if (m.attack !== null && (best === null || anomalyScoreOf(m.severity) > anomalyScoreOf(best.severity))) best = m;
  return best?.attack ?? null;
}
