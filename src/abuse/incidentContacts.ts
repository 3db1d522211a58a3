import { findContact } from './contactLookup.js';
import { openWorkspace, type WorkspaceFlags } from './workspace.js';

/**
 * Look up by RDAP the abuse contacts of the bulletin's incident sources, for `bansho report
 * --abuse-lookup`: the one time the bulletin asks a registry, because it was asked to. Answers
 * land in the cache the bulletin reads; a failed lookup is returned as a message and leaves
 * that source without a contact.
 */
export async function lookUpIncidentContacts(ips: readonly string[], flags: WorkspaceFlags): Promise<string[]> {
  const ws = openWorkspace(flags);
  const problems: string[] = [];
  try {
    for (const ip of new Set(ips)) {
      const outcome = await findContact(ws, ip);
      if (outcome.kind === 'failed') problems.push(`no abuse contact for ${ip}: ${outcome.error.message}`);
    }
  } finally {
    ws.close();
  }
  return problems;
}
