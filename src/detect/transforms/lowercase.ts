/** ASCII and latin1 lower-casing, so `SeLeCt` and `SELECT` meet the same literal. */
export function lowercase(value: string): string {
  return value.toLowerCase();
}
