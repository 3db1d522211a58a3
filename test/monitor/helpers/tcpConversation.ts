import { ethernet, FLAGS, ipv4, tcp } from './packets.js';

/**
 * One TCP conversation on Ethernet between two IPv4 hosts: the handshake, the client's ACK, then
 * one PSH segment per step, from the client (`c`) or the server (`s`), sequence numbers following.
 */
export function tcpConversation(
  ends: { client: string; server: string; clientPort: number; serverPort: number; serverTtl: number },
  steps: ReadonlyArray<readonly ['c' | 's', Buffer]>,
): number[][] {
  const { client, server, clientPort, serverPort } = ends;
  const frames: number[][] = [];
  let cseq = 1001;
  let sseq = 5001;
  const send = (from: 'c' | 's', flags: number, payload?: Buffer) => {
    const c = from === 'c';
    frames.push(
      ethernet(
        0x0800,
        ipv4(
          { src: c ? client : server, dst: c ? server : client, proto: 6, ...(c ? {} : { ttl: ends.serverTtl }) },
          tcp({
            sport: c ? clientPort : serverPort,
            dport: c ? serverPort : clientPort,
            seq: c ? cseq : sseq,
            ack: c ? sseq : cseq,
            flags,
            payload,
          }),
        ),
      ),
    );
    if (c) cseq += payload?.length ?? 0;
    else sseq += payload?.length ?? 0;
  };
  frames.push(
    ethernet(
      0x0800,
      ipv4(
        { src: client, dst: server, proto: 6 },
        tcp({ sport: clientPort, dport: serverPort, seq: 1000, flags: FLAGS.SYN }),
      ),
    ),
    ethernet(
      0x0800,
      ipv4(
        { src: server, dst: client, proto: 6, ttl: ends.serverTtl },
        tcp({ sport: serverPort, dport: clientPort, seq: 5000, ack: 1001, flags: FLAGS.SYN | FLAGS.ACK }),
      ),
    ),
  );
  send('c', FLAGS.ACK);
  for (const [from, data] of steps) send(from, FLAGS.PSH | FLAGS.ACK, data);
  return frames;
}
