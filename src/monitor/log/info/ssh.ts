import type { ProtocolEvent, SshEncrypted, SshMessage, SshVersion } from '../../protocols/events.js';
import type { Columns } from '../columns.js';

type SshEvent = SshVersion | SshMessage | SshEncrypted;

/**
 * SSH in tshark's words (packet-ssh.c): `Client: ` or `Server: `, then what the segment holds —
 * `Protocol (SSH-2.0-…)`, the key exchange's messages by name, `Encrypted packet (len=N)` —
 * joined by commas; the column is the dialect known before the segment (`SSH`, `SSHv2`).
 */
export function sshColumns(events: readonly ProtocolEvent[]): Columns {
  const ssh = events.filter(isSsh);
  const first = ssh[0] as SshEvent;
  let info = first.fromServer ? 'Server: ' : 'Client: ';
  let named = 0;
  for (const e of ssh) {
    const name = nameOf(e);
    if (name === null) continue;
    info += named++ === 0 ? name : `, ${name}`;
  }
  return { protocol: first.dialect, info };
}

function isSsh(e: ProtocolEvent): e is SshEvent {
  return e.kind === 'ssh_version' || e.kind === 'ssh_message' || e.kind === 'ssh_encrypted';
}

function nameOf(e: SshEvent): string | null {
  switch (e.kind) {
    case 'ssh_version':
      return `Protocol (${e.version})`;
    case 'ssh_message':
      return e.name;
    case 'ssh_encrypted':
      return e.named ? `Encrypted packet (len=${e.length})` : null;
  }
}
