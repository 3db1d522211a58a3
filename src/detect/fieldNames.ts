/**
 * The parts of an Observation a rule can look at. Every field yields a list of strings (empty
 * when the Observation has no such part): multi-valued fields such as `args.values` match
 * when any value matches, as in CRS. Numbers (ports, lengths) are given as decimal strings.
 */
export const STATIC_FIELDS = [
  'request.line',
  'request.method',
  'request.target',
  'request.version',
  'request.form',
  'request.malformed',
  'request.path',
  'request.query',
  'authority.host',
  'authority.port',
  'args.names',
  'args.values',
  'cookie.names',
  'cookie.values',
  'headers.names',
  'headers.values',
  'user-agent',
  'host',
  'body',
  'source.ip',
  'source.port',
  'destination.port',
  'transport',
  'sensor',
  'payload',
  'payload.length',
] as const;

export type StaticField = (typeof STATIC_FIELDS)[number];
/** `header:<lower-case name>` selects one header's values. */
export type FieldName = StaticField | `header:${string}`;

export function isFieldName(name: string): name is FieldName {
  return (STATIC_FIELDS as readonly string[]).includes(name) || /^header:[a-z0-9-]+$/.test(name);
}

/**
 * Whether a field is read from the HTTP request alone (its line, headers, body prefix), so that
 * two Observations of one request read it alike whoever sent it (../requestMatches.ts). A
 * Record, so a new field cannot be added without deciding.
 */
const FROM_REQUEST: Readonly<Record<StaticField, boolean>> = {
  'request.line': true,
  'request.method': true,
  'request.target': true,
  'request.version': true,
  'request.form': true,
  'request.malformed': true,
  'request.path': true,
  'request.query': true,
  'authority.host': true,
  'authority.port': true,
  'args.names': true,
  'args.values': true,
  'cookie.names': true,
  'cookie.values': true,
  'headers.names': true,
  'headers.values': true,
  'user-agent': true,
  host: true,
  body: true,
  'source.ip': false,
  'source.port': false,
  'destination.port': false,
  transport: false,
  sensor: false,
  payload: false,
  'payload.length': false,
};

export function readFromRequest(field: FieldName): boolean {
  return field.startsWith('header:') || FROM_REQUEST[field as StaticField] === true;
}
