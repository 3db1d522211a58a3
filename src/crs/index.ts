export { CrsDetector, EngineWithCrs, loadPacksWithCrs, withCrs } from './crsDetector.js';
export { CrsEngine, type CrsVerdict } from './engine.js';
export { CrsError } from './errors.js';
export type { CrsMatch } from './evaluateRule.js';
export { type CrsOptions, loadCrs } from './loadCrs.js';
export type { CrsRequest, CrsResponse } from './request.js';
export { CRS_THREATS } from './threatClass.js';
