import { z } from 'zod';
import { parseDuration } from './duration.js';
import { parseSize } from './size.js';

/** A value written as text or a number, read by `parse` (which throws a message on bad input). */
function parsed(parse: (value: string | number) => number) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    try {
      return parse(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

/** A duration as text (`30s`, `1h`) or a number of seconds; milliseconds once read. */
export const duration = parsed(parseDuration);

export const positiveDuration = duration.refine((ms) => ms > 0, { message: 'must be longer than 0' });

/** A size in bytes as a number or text (`64KiB`, `1MiB`). */
export const size = parsed(parseSize);
