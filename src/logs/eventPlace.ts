/**
 * Where an event found in a log sits: its content-derived id (so a re-import adds nothing
 * twice) and the file and line it came from.
 */
export interface EventPlace {
  readonly id: string;
  readonly origin: { file: string; line: number };
}
