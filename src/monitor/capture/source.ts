import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { CaptureParser, type CaptureParserOptions } from './captureParser.js';
import type { Frame } from './frame.js';

/**
 * Read a capture from a byte stream (a file, a pipe, tcpdump's stdout), handing each frame to
 * `onFrame` as it completes. Resolves with the frame count at the end of input; rejects with a
 * CaptureError at damage, after every frame before it was handed over.
 */
export async function readCapture(
  input: Readable,
  onFrame: (frame: Frame) => void,
  /** Called after each chunk; awaited, so a slow consumer (stdout to a pipe) holds the reading back. */
  afterChunk?: () => Promise<void> | void,
  options: CaptureParserOptions = {},
): Promise<number> {
  const parser = new CaptureParser(options);
  let count = 0;
  const sink = (frame: Frame): void => {
    count++;
    onFrame(frame);
  };
  for await (const chunk of input) {
    parser.push(chunk as Uint8Array, sink);
    if (afterChunk) await afterChunk();
  }
  parser.end();
  return count;
}

/** `-` reads standard input. */
export function openCaptureFile(file: string): Readable {
  return file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
}
