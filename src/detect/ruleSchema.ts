import { z } from 'zod';
import { isFieldName } from './fieldNames.js';
import { SEVERITIES } from './severity.js';
import { TRANSFORM_NAMES } from './transforms/index.js';

/**
 * The rule language, as a zod schema that doubles as its TypeScript types. A pack file holds
 * `rules:`; a rule holds `when:`, a list of conditions that must all hold; a condition reads
 * one field, applies transformations and runs one operator. `op: any` groups conditions of
 * which one must hold.
 */
export const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const fieldName = z.string().refine(isFieldName, { message: 'unknown field (see src/detect/fields.ts)' });
/** One field, or several read as one list of values (`[args.values, header:cookie]`). */
const field = z.union([fieldName, z.array(fieldName).min(1)]);
const transforms = z.array(z.enum(TRANSFORM_NAMES));
const literal = z
  .string()
  .min(1)
  .refine((s) => [...s].every((c) => c.charCodeAt(0) <= 255), { message: 'literals must be latin1 (bytes)' });
const literals = z.array(literal).min(1);
const bound = z.number().int().min(0).optional();

const base = { field, transforms: transforms.optional(), negate: z.boolean().optional() };

const leafConditions = [
  z.strictObject({ ...base, op: z.literal('equals'), values: literals }),
  z.strictObject({ ...base, op: z.literal('contains'), values: literals }),
  z.strictObject({ ...base, op: z.literal('prefix'), values: literals }),
  z.strictObject({ ...base, op: z.literal('suffix'), values: literals }),
  z.strictObject({
    ...base,
    op: z.literal('regex'),
    pattern: z.string().min(1),
    caseless: z.boolean().optional(),
    /** Literals of which the value must contain one before the regex runs, when they cannot be derived. */
    prefilter: literals.optional(),
  }),
  z.strictObject({ ...base, op: z.literal('cidr'), values: z.array(z.string().min(2)).min(1) }),
  z.strictObject({ ...base, op: z.literal('in-list'), list: z.string().regex(/^[a-z_][a-z0-9_]*$/) }),
  z.strictObject({ ...base, op: z.literal('present') }),
  z.strictObject({
    ...base,
    op: z.literal('number'),
    min: z.number().optional(),
    max: z.number().optional(),
    values: z.array(z.number()).min(1).optional(),
  }),
  z.strictObject({ ...base, op: z.literal('length'), min: bound, max: bound }),
  z.strictObject({ ...base, op: z.literal('count'), min: bound, max: bound }),
] as const;

export type LeafCondition = z.infer<(typeof leafConditions)[number]>;
export type AnyCondition = { op: 'any'; of: Condition[] };
export type Condition = LeafCondition | AnyCondition;

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion('op', [
    ...leafConditions,
    z.strictObject({ op: z.literal('any'), of: z.array(conditionSchema).min(2) }),
  ]),
);

const hex = z.string().regex(/^([0-9a-fA-F]{2})*$/, { message: 'hex bytes expected' });

/** An example: a raw HTTP request (request line, headers, blank line, body), or a UDP datagram. */
export const exampleSchema = z.union([
  z.string().min(1),
  z.strictObject({ raw: z.string().min(1), source: z.string().optional() }),
  z.strictObject({
    source: z.string().optional(),
    udp: z.strictObject({
      port: z.number().int().min(0).max(65535),
      payload: hex,
      /** Pad the payload with `padByte` (hex) up to this many bytes. */
      padTo: z.number().int().min(0).max(65535).optional(),
      padByte: hex.optional(),
    }),
  }),
]);
export type Example = z.infer<typeof exampleSchema>;

export const ruleSchema = z.strictObject({
  id: z.string().regex(KEBAB, { message: 'rule ids are kebab-case' }),
  name: z.string().min(1),
  threat: z.string().regex(KEBAB, { message: 'threat ids are kebab-case' }),
  severity: z.enum(SEVERITIES),
  score: z.number().int().min(0).max(100),
  action: z.enum(['log', 'block', 'ban']),
  tags: z.array(z.string().min(1)).default([]),
  on: z.enum(['http', 'datagram']).default('http'),
  /** Default transformations for conditions that list none. */
  transforms: transforms.optional(),
  when: z.array(conditionSchema).min(1),
  examples: z.strictObject({ match: z.array(exampleSchema).min(1), nearMiss: z.array(exampleSchema).min(1) }),
});
export type RuleSpec = z.infer<typeof ruleSchema>;

export const packSchema = z.strictObject({
  pack: z.string().regex(KEBAB),
  description: z.string().optional(),
  rules: z.array(ruleSchema).min(1),
});
export type PackSpec = z.infer<typeof packSchema>;
