import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureParser } from '../../../src/monitor/capture/captureParser.js';
import type { Frame } from '../../../src/monitor/capture/frame.js';
import { IpReassembler } from '../../../src/monitor/decode/ipFragments.js';
import { decodePacket } from '../../../src/monitor/decode/packet.js';
import { MacNames } from '../../../src/monitor/log/names.js';
import { PacketLogReader } from '../../../src/monitor/log/packetLogReader.js';

/** Parse a whole capture held in memory; returns the frames and the error, if any. */
export function parseAll(bytes: Uint8Array, chunk = bytes.length): { frames: Frame[]; error: Error | null } {
  const parser = new CaptureParser();
  const frames: Frame[] = [];
  // Frames are views into the chunk: copy, since the test keeps them past the next push.
  const sink = (f: Frame) => frames.push({ ...f, data: new Uint8Array(f.data) });
  try {
    for (let i = 0; i < bytes.length; i += chunk) parser.push(bytes.subarray(i, i + chunk), sink);
    parser.end();
    return { frames, error: null };
  } catch (err) {
    return { frames, error: err as Error };
  }
}

/** The packet log of a capture, as `bansho monitor -r` prints it (fragments reassembled). */
export function ourLines(bytes: Uint8Array): string[] {
  const log = new PacketLogReader({ macNames: MacNames.load() });
  const fragments = new IpReassembler();
  return parseAll(bytes).frames.map((f) => log.line(fragments.packet(decodePacket(f))));
}

export function hasTool(name: string, arg = '--version'): boolean {
  const r = spawnSync(name, [arg], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

export function tsharkLines(file: string, filter?: string): string[] {
  const args = ['-r', file, ...(filter ? ['-Y', filter] : [])];
  const r = spawnSync('tshark', args, { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l !== '');
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bansho-monitor-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
