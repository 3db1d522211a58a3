/**
 * Corpus check for the monitor's detections on real captures: each attack capture must be
 * named with its threat (through TCP reassembly and the shared engine, or the network
 * detectors), and the plain browsing captures must raise nothing.
 */
import { join } from 'node:path';
import { loadEngine } from '../../src/catalog/index.js';
import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import { openCaptureFile, readCapture } from '../../src/monitor/capture/source.js';
import { inThreadJudge, Monitor } from '../../src/monitor/monitor.js';

/** Capture → threats it must be named with. */
const ATTACKS: Readonly<Record<string, readonly string[]>> = {
  'chrissanders/ppa1e_dosattack.pcap': ['syn-flood'],
  'chrissanders/ppa1e_portscan.pcap': ['port-scan'],
  'chrissanders/ppa2e_synscan.pcap': ['port-scan'],
  'ndpi/tcp_scan.pcapng': ['port-scan'],
  'chrissanders/http_dvwa_sqlinjection.pcapng': ['sql-injection'],
  'chrissanders/http_dvwa_directorytraversal.pcapng': ['path-traversal'],
  'ndpi/sql_injection.pcap': ['sql-injection'],
  'ndpi/xss.pcap': ['xss'],
  'suricata-verify/bug-814-nikto.pcap': ['nikto'],
  'ndpi/http-proxy.pcapng': ['open-proxy-probe'],
  'zeek/http_proxy.pcap': ['open-proxy-probe'],
  'ndpi/http_connect.pcap': ['open-proxy-probe'],
};

/** Ordinary browsing: any detection here is a false positive. */
const BENIGN = [
  'chrissanders/ppa1e_http.cap',
  'chrissanders/ppa2e_http_espn.pcap',
  'chrissanders/ppa2e_http_google.pcap',
  'chrissanders/ppa2e_http_post.pcap',
  'zeek/http_bro.org.pcap',
  'zeek/http_get.pcap',
  'zeek/http_pipelined-requests.pcap',
];

export async function run(corpusDir: string): Promise<{ name: string; ok: boolean; summary: string }> {
  const engine = loadEngine();
  let named = 0;
  let falsePositives = 0;
  const problems: string[] = [];
  for (const file of [...Object.keys(ATTACKS), ...BENIGN]) {
    const seen = new Map<string, number>();
    const judge = inThreadJudge({
      behaviours: builtInBehaviours(),
      engine,
      allFlows: false,
      onEvent: (e) => {
        if (e.event.action !== 'detected') return;
        const id = e.threat?.software?.id ?? '?';
        seen.set(id, (seen.get(id) ?? 0) + 1);
      },
    });
    const monitor = new Monitor({ judge, log: false });
    await readCapture(openCaptureFile(join(corpusDir, 'pcaps', file)), (f) => monitor.frame(f));
    monitor.end();
    const found = [...seen].map(([id, n]) => `${id}×${n}`).join(' ') || '-';
    const expected = ATTACKS[file];
    if (expected) {
      const missing = expected.filter((id) => !seen.has(id));
      if (missing.length === 0) named++;
      else problems.push(`${file}: ${missing.join(', ')} not named`);
      console.log(`  ${missing.length === 0 ? 'named' : 'MISSED'}  ${file}: ${found}`);
    } else {
      if (seen.size > 0) {
        falsePositives++;
        problems.push(`${file}: false positive ${found}`);
      }
      console.log(`  ${seen.size === 0 ? 'quiet' : 'FALSE+'}  ${file}: ${found}`);
    }
  }
  const total = Object.keys(ATTACKS).length;
  return {
    name: 'monitor-detections',
    ok: problems.length === 0,
    summary: `${named}/${total} attack captures named, ${falsePositives}/${BENIGN.length} benign captures with a detection${problems.length ? ` (${problems.join('; ')})` : ''}`,
  };
}
