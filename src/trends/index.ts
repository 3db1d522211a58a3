export {
  type AbuseNote,
  type Bulletin,
  type BulletinInput,
  buildBulletin,
  type Incident,
  type ThreatInfo,
} from './bulletin.js';
export { countsByPeriod, type PeriodCounts } from './counts.js';
export { describeTrend, type Trend, type TrendWord, trendOf, trendOfFacts } from './direction.js';
export { type EventFact, factOf, isThreatFact } from './eventFacts.js';
export { nextPeriod, type PeriodUnit, periodLabel, periodStart, periodStarts, unitFor } from './periods.js';
export {
  describeRecurrence,
  type Episode,
  episodesOf,
  type Recurrence,
  recurrenceOf,
  recurrences,
} from './recurrence.js';
export { renderHtml } from './render/htmlReport.js';
export { renderMarkdown } from './render/markdown.js';
export { barChartSvg, lineChartSvg } from './render/svgChart.js';
export { type OriginLookup, type Ranked, topAsns, topBy, topCountries, topPaths, topSources } from './top.js';
export { type WantedByThreat, wantedOf } from './wanted.js';
