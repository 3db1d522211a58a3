export type ConnState =
  | 'S0'
  | 'S1'
  | 'SF'
  | 'REJ'
  | 'S2'
  | 'S3'
  | 'RSTO'
  | 'RSTR'
  | 'RSTOS0'
  | 'RSTRH'
  | 'SH'
  | 'SHR'
  | 'OTH';

/** What was seen of each side, in the order Zeek's conn_state reads it. */
export interface HandshakeFacts {
  readonly origSyn: boolean;
  readonly respSynAck: boolean;
  readonly origFin: boolean;
  readonly respFin: boolean;
  readonly origRst: boolean;
  readonly respRst: boolean;
  readonly origData: boolean;
  readonly respData: boolean;
}

/** Zeek's conn_state from the handshake and teardown seen (scripts/base/protocols/conn/main.zeek). */
export function connState(f: HandshakeFacts): ConnState {
  if (!f.origSyn) {
    if (f.respSynAck) {
      if (f.respRst) return 'RSTRH';
      if (f.respFin) return 'SHR';
    }
    return 'OTH';
  }
  if (!f.respSynAck) {
    if (f.respRst) return 'REJ';
    if (f.origRst) return 'RSTOS0';
    if (f.origFin) return 'SH';
    return 'S0';
  }
  if (f.origRst) return 'RSTO';
  if (f.respRst) return 'RSTR';
  if (f.origFin && f.respFin) return 'SF';
  if (f.origFin) return 'S2';
  if (f.respFin) return 'S3';
  return 'S1';
}
