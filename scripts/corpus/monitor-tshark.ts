/**
 * Corpus check for the packet monitor: for each capture under pcaps/, the share of our packet-log
 * lines identical (byte for byte) to `tshark -r FILE` (tshark 4.0 here). Prints per file and fails
 * when the overall share falls below the floor.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { openCaptureFile, readCapture } from '../../src/monitor/capture/source.js';
import { IpReassembler } from '../../src/monitor/decode/ipFragments.js';
import { decodePacket } from '../../src/monitor/decode/packet.js';
import { MacNames } from '../../src/monitor/log/names.js';
import { PacketLogReader } from '../../src/monitor/log/packetLogReader.js';

const FLOOR = 0.99;

export async function run(corpusDir: string): Promise<{ name: string; ok: boolean; summary: string }> {
  const name = 'monitor-tshark';
  if (spawnSync('tshark', ['-v']).status !== 0) return { name, ok: true, summary: 'skipped: tshark not installed' };
  const root = join(corpusDir, 'pcaps');
  const files = listFiles(root);
  const macNames = MacNames.load();
  let same = 0;
  let total = 0;
  for (const file of files) {
    const theirs = tsharkLines(file);
    const ours = await ourLines(file, macNames);
    let fileSame = 0;
    for (let i = 0; i < theirs.length; i++) if (ours[i] === theirs[i]) fileSame++;
    same += fileSame;
    total += theirs.length;
    const share = theirs.length === 0 ? 1 : fileSame / theirs.length;
    console.log(`  ${(share * 100).toFixed(1).padStart(5)}%  ${fileSame}/${theirs.length}  ${relative(root, file)}`);
  }
  const share = total === 0 ? 1 : same / total;
  return {
    name,
    ok: share >= FLOOR,
    summary: `${same}/${total} lines identical to tshark (${(share * 100).toFixed(2)}%, floor ${FLOOR * 100}%) over ${files.length} captures`,
  };
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out;
}

function tsharkLines(file: string): string[] {
  const r = spawnSync('tshark', ['-r', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return r.stdout.split('\n').filter((l) => l !== '');
}

async function ourLines(file: string, macNames: MacNames): Promise<string[]> {
  const log = new PacketLogReader({ macNames });
  const fragments = new IpReassembler();
  const lines: string[] = [];
  try {
    await readCapture(openCaptureFile(file), (frame) => lines.push(log.line(fragments.packet(decodePacket(frame)))));
  } catch (err) {
    lines.push(`error: ${(err as Error).message}`);
  }
  return lines;
}
