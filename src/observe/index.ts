export { buildHttpRequest, headerValue, type RequestParts } from './httpRequest.js';
export * from './observation.js';
export { parseRawRequest } from './rawRequest.js';
export { type ParsedTarget, parseAuthority, parseTarget } from './target.js';
