/** Why a capture could not be read (further). `offset` is the byte offset of the damage. */
export type CaptureErrorCode = 'E_CAPTURE_FORMAT' | 'E_CAPTURE_TRUNCATED' | 'E_CAPTURE_CORRUPT';

export class CaptureError extends Error {
  readonly code: CaptureErrorCode;
  readonly offset: number;

  constructor(code: CaptureErrorCode, offset: number, detail: string) {
    super(`${describe(code)} at byte offset ${offset}: ${detail}`);
    this.name = 'CaptureError';
    this.code = code;
    this.offset = offset;
  }
}

function describe(code: CaptureErrorCode): string {
  switch (code) {
    case 'E_CAPTURE_FORMAT':
      return 'not a pcap or pcapng capture';
    case 'E_CAPTURE_TRUNCATED':
      return 'capture truncated';
    case 'E_CAPTURE_CORRUPT':
      return 'capture corrupt';
  }
}
