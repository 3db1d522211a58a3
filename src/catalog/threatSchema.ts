import { z } from 'zod';
import { KEBAB } from '../detect/ruleSchema.js';

export const THREAT_KINDS = ['worm', 'trojan', 'botnet', 'scanner', 'exploit', 'abuse'] as const;

export const threatSchema = z.strictObject({
  id: z.string().regex(KEBAB, { message: 'threat ids are kebab-case' }),
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  kind: z.enum(THREAT_KINDS),
  /** A year, year-month or date: `1999`, `1999-09`, `2003-01-25`. */
  firstSeen: z.coerce.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, { message: 'YYYY, YYYY-MM or YYYY-MM-DD' }),
  targets: z.string().min(1),
  description: z.string().min(20),
  advice: z.string().min(20),
  references: z.array(z.url()).min(1),
});

export const threatFileSchema = z.strictObject({ threats: z.array(threatSchema).min(1) });

export type Threat = z.infer<typeof threatSchema>;
