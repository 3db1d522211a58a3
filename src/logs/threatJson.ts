/**
 * A log threat line's event JSON, written field by field in the order `toEvent` gives them,
 * straight into the batch's docs as UTF-8 (./jsonBytes.ts), without the event object. On an
 * attack-heavy log a worker made every threat line's SecurityEvent (some thirty objects) only
 * to stringify it, cut the text at its id and copy it into the docs: a fifth of the worker's
 * time, and two thirds of what it allocated (which its young-generation collections then paid
 * for). The shape is fixed: that of `threatEvent(line, observation, matches, threatName, place)`
 * for an HTTP observation; test/logs/threatJson.test.ts holds the bytes equal to its JSON over
 * the packs' examples and generated lines.
 */
import { EVIDENCE_VALUE_CHARS, worstFinding } from '../detect/finding.js';
import type { Match } from '../detect/types.js';
import { SEVERITY_NUMBER } from '../events/eventHeader.js';
import { MESSAGE_EVIDENCE_CHARS, QUOTED_LINE_CHARS } from '../events/toEvent.js';
import type { HttpObservation } from '../observe/observation.js';
import { asciiBytes, type JsonBytes } from './jsonBytes.js';

/** Where the document's id is, and the columns the store indexes (../store/encodedEvent.ts). */
export interface ThreatDoc {
  /** Offsets in the docs: the id's value (a JSON string) and what follows it. */
  readonly idAt: number;
  readonly middleAt: number;
  readonly ts: number;
  readonly threatId: string;
  readonly ruleId: string;
}

const b = asciiBytes;
const TIMESTAMP = b('{"@timestamp":"');
const MESSAGE = b('","message":"detected: ');
const FROM = b(' from ');
const REQUEST_FROM = b('request from ');
const COLON = b(': ');
const ID = b('","event":{"id":');
/** What `detectionHeader` writes after the id for a `detected` alert of the logs sensor. */
const HEADER = b(
  ',"kind":"alert","category":["network","intrusion_detection"],"type":["indicator"],"action":"detected","outcome":"success","module":"bansho","dataset":"bansho.logs"',
);
const SEVERITY = b(',"severity":');
const SOURCE = b('},"source":{"ip":');
const PORT = b(',"port":');
const DESTINATION = b('},"destination":{"ip":');
const NETWORK = b('},"network":{"transport":');
const PROTOCOL = b(',"protocol":"http"},"http":{');
const VERSION = b('"version":');
const METHOD = b('"request":{"method":');
const STATUS = b('},"response":{"status_code":');
const URL = b('}},"url":{"original":');
const PATH = b(',"path":');
const QUERY = b(',"query":');
const DOMAIN = b(',"domain":');
const USER_AGENT = b('},"user_agent":{"original":');
const RULE = b('},"rule":{"id":');
const NAME = b(',"name":');
const CATEGORY = b(',"ruleset":"bansho","category":');
const THREAT = b('},"threat":{"software":{"id":');
const EVIDENCE = b('}},"bansho":{"sensor":"logs","evidence":');
const SCORE = b(',"score":');
const MATCHES = b(',"matches":[');
const MATCH_RULE = b('{"rule":');
const MATCH_THREAT = b(',"threat":');
const FIELD = b(',"field":');
const VALUE = b(',"value":');
const MATCH_END = b('}');
const COMMA = b(',');
const ORIGIN = b('],"origin":');

/**
 * The event of a threat line (`matches`: the engine's, at least one) with id `id`, written to
 * `out` up to its origin's value (`…,"origin":`); where its id went, and its columns.
 */
export function writeThreatJson(
  out: JsonBytes,
  line: string,
  observation: HttpObservation,
  matches: readonly Match[],
  threatName: ((threatId: string) => string | undefined) | undefined,
  id: string,
): ThreatDoc {
  const top = worstFinding(matches) as Match;
  const name = threatName?.(top.threatId) ?? top.threatId;
  const request = observation.request;
  const ip = observation.source.ip;
  const date = new Date(observation.time);
  out.bytes(TIMESTAMP);
  out.ascii(date.toISOString());
  out.bytes(MESSAGE);
  if (name) {
    out.escaped(name);
    out.bytes(FROM);
  } else out.bytes(REQUEST_FROM);
  out.escaped(ip);
  out.bytes(COLON);
  out.escaped(
    request.line.length > MESSAGE_EVIDENCE_CHARS ? request.line.slice(0, MESSAGE_EVIDENCE_CHARS) : request.line,
  );
  out.bytes(ID);
  const idAt = out.used;
  out.string(id);
  const middleAt = out.used;
  out.bytes(HEADER);
  const severity = SEVERITY_NUMBER[top.severity];
  if (severity !== undefined) {
    out.bytes(SEVERITY);
    out.number(severity);
  }
  out.bytes(SOURCE);
  out.string(ip);
  out.bytes(PORT);
  out.number(observation.source.port);
  out.bytes(DESTINATION);
  out.string(observation.destination.ip);
  out.bytes(PORT);
  out.number(observation.destination.port);
  out.bytes(NETWORK);
  out.string(observation.transport);
  out.bytes(PROTOCOL);
  if (request.version) {
    out.bytes(VERSION);
    out.string(request.version.replace('HTTP/', ''));
    out.bytes(COMMA);
  }
  out.bytes(METHOD);
  out.string(request.method);
  const status = observation.status;
  if (status !== null && status !== undefined) {
    out.bytes(STATUS);
    out.number(status);
  }
  writeUrl(out, observation);
  const ua = request.headers.find(([n]) => n === 'user-agent')?.[1];
  if (ua !== undefined) {
    out.bytes(USER_AGENT);
    out.string(ua);
  }
  out.bytes(RULE);
  out.string(top.ruleId);
  out.bytes(NAME);
  out.string(top.ruleName);
  out.bytes(CATEGORY);
  out.string(top.tags[0] ?? top.threatId);
  out.bytes(THREAT);
  out.string(top.threatId);
  out.bytes(NAME);
  out.string(name);
  out.bytes(EVIDENCE);
  out.string(line.length > QUOTED_LINE_CHARS ? line.slice(0, QUOTED_LINE_CHARS) : line);
  out.bytes(SCORE);
  let score = 0;
  for (const m of matches) score += m.score;
  out.number(score);
  out.bytes(MATCHES);
  for (const [i, m] of matches.entries()) {
    if (i > 0) out.bytes(COMMA);
    out.bytes(MATCH_RULE);
    out.string(m.ruleId);
    out.bytes(MATCH_THREAT);
    out.string(m.threatId);
    out.bytes(SCORE);
    out.number(m.score);
    out.bytes(FIELD);
    out.string(m.field);
    out.bytes(VALUE);
    out.string(m.value.length > EVIDENCE_VALUE_CHARS ? m.value.slice(0, EVIDENCE_VALUE_CHARS) : m.value);
    out.bytes(MATCH_END);
  }
  out.bytes(ORIGIN);
  return { idAt, middleAt, ts: date.getTime(), threatId: top.threatId, ruleId: top.ruleId };
}

/** `url`'s members (its block is left open). */
function writeUrl(out: JsonBytes, observation: HttpObservation): void {
  const request = observation.request;
  out.bytes(URL);
  out.string(request.target);
  if (request.path) {
    out.bytes(PATH);
    out.string(request.path);
  }
  if (request.query) {
    out.bytes(QUERY);
    out.string(request.query);
  }
  const authority = request.authority;
  if (authority) {
    out.bytes(DOMAIN);
    out.string(authority.host);
  }
  if (authority?.port) {
    out.bytes(PORT);
    out.number(authority.port);
  }
}
