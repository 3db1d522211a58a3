export { type AsnInfo, AsnTable } from './asnTable.js';
export { attributionHtml, attributionMarkdown, attributionText, LICENCE, ORIGIN_CREDITS } from './attribution.js';
export { describeOrigin, type Origin, OriginDb } from './origin.js';
export { type PoolHint, type PoolKind, poolHint } from './poolHint.js';
export { ReverseDns, type ReverseDnsOptions } from './reverseDns.js';
export { type SpecialRange, specialRange } from './special.js';
