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
