import type { SecurityEvent } from '../../events/securityEvent.js';
import { LineBuffer } from '../log/lineBuffer.js';
import { writeTcpLine } from '../log/tcpLine.js';
import { readPackets } from './packetJson.js';

type Flow = NonNullable<SecurityEvent['bansho']['flow']>;

/**
 * A stored flow's packet-log lines: rendered from its packet records by the live log's own
 * renderer (../log/tcpLine.ts), so they read as `bansho monitor -r` printed those frames; an
 * event stored by an older bansho kept the lines themselves (`log`). None when it has neither,
 * or when its records cannot be read.
 */
export function flowLines(flow: Flow | undefined): string[] {
  if (flow === undefined) return [];
  if (typeof flow.packets === 'string') return renderPackets(flow);
  return typeof flow.log === 'string' ? flow.log.split('\n') : [];
}

function renderPackets(flow: Flow): string[] {
  const packets = readPackets(flow.packets as string);
  const orig = flow['id.orig_h'];
  const resp = flow['id.resp_h'];
  const origPort = flow['id.orig_p'];
  const respPort = flow['id.resp_p'];
  const precision = flow.capture_precision;
  if (packets === null || typeof orig !== 'string' || typeof resp !== 'string') return [];
  if (typeof origPort !== 'number' || typeof respPort !== 'number') return [];
  if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 0 || precision > 9) return [];
  const out = new LineBuffer();
  const scratch = new LineBuffer();
  const lines: string[] = [];
  for (const r of packets) {
    const ends = r.is_orig
      ? { src_h: orig, src_p: origPort, dst_h: resp, dst_p: respPort }
      : { src_h: resp, src_p: respPort, dst_h: orig, dst_p: origPort };
    out.clear();
    try {
      writeTcpLine(out, { ...r, ...ends, precision }, scratch);
    } catch {
      // Records another version wrote differently: say so rather than stop the report.
      lines.push(`(frame ${r.frame}: its record cannot be shown by this version)`);
      continue;
    }
    lines.push(out.textFrom(0));
  }
  return lines;
}
