import type { BanshoProcess } from '../../cli/run.js';
import { rawRequest } from '../helpers.js';

/**
 * A flood of one ban-worthy request from each of `sources` (one connection each, `parallel` at
 * a time) at a `bansho serve` that is killed with SIGKILL once `killAfter` refusals came back —
 * mid-flood, with requests in flight: no warning, no shutdown. Returns the sources that were
 * refused (their 400 announced a ban that must survive the kill).
 */
export async function floodUntilKilled(options: {
  readonly gateway: BanshoProcess;
  readonly port: number;
  readonly sources: readonly string[];
  readonly request: string;
  readonly killAfter: number;
  readonly parallel: number;
}): Promise<string[]> {
  const { gateway, port, sources, request, killAfter } = options;
  const refused: string[] = [];
  let next = 0;
  let killed = false;
  const worker = async (): Promise<void> => {
    while (next < sources.length && !killed) {
      const source = sources[next++] as string;
      const r = await rawRequest(port, source, request, 2000);
      if (r.response.startsWith('HTTP/1.1 400 Bad Request')) refused.push(source);
      if (refused.length === killAfter && !killed) {
        killed = true;
        gateway.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: options.parallel }, worker));
  await gateway.exited;
  if (!killed) throw new Error(`the flood ended with ${refused.length} refusals, before the kill at ${killAfter}`);
  return refused;
}
