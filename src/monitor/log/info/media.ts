import type { BodyContent } from './bodyContent.js';

/**
 * What tshark's media subdissectors make of an HTTP body: the Protocol column (`HTTP`,
 * `HTTP/XML`, `HTTP/JSON`, …) and what follows the first line in Info (` (text/html)`,
 * ` (PNG)`, nothing). Read off tshark 4.0's media_type table and checked against tshark on
 * every type nginx sends and many more (see test/monitor/tsharkSynthetic.test.ts). Types are
 * the Content-Type up to the first `;` or space, lower-cased, as tshark looks them up and
 * prints them. Not modelled: dissectors that replace the whole Info (OCSP, DoH, PKIX-CRL) and
 * `[Malformed Packet]` for broken images and certificates.
 */
export interface MediaColumns {
  readonly protocol: string;
  readonly suffix: string;
}

/** Types tshark's XML dissector takes, whatever the body holds. A `+xml` suffix alone is not enough. */
const XML_TYPES = words(`
application/3gpp-ims+xml application/atom+xml application/auth-policy+xml application/ccmp+xml
application/conference-info+xml application/cpim-pidf+xml application/cpl+xml
application/dds-web+xml application/im-iscomposing+xml application/load-control+xml
application/mathml+xml application/media_control+xml application/note+xml application/pidf+xml
application/pidf-diff+xml application/poc-settings+xml application/rdf+xml
application/reginfo+xml application/resource-lists+xml application/rlmi+xml
application/rls-services+xml application/rs-metadata+xml application/rss+xml
application/simple-filter+xml application/simple-message-summary+xml application/simservs+xml
application/smil application/soap+xml application/upp-directory+xml
application/vnc.3gpp.iut-config+xml application/vnd.3gpp-prose+xml
application/vnd.3gpp-prose-pc3ch+xml application/vnd.3gpp.access-transfer-events+xml
application/vnd.3gpp.bsf+xml application/vnd.3gpp.comm-div-info+xml application/vnd.3gpp.cw+xml
application/vnd.3gpp.iut+xml application/vnd.3gpp.mcdata-affiliation-command+xml
application/vnd.3gpp.mcdata-info+xml application/vnd.3gpp.mcdata-location-info+xml
application/vnd.3gpp.mcdata-mbms-usage-info+xml application/vnd.3gpp.mcdata-regroup+xml
application/vnd.3gpp.mcdata-service-config+xml application/vnd.3gpp.mcdata-ue-config+xml
application/vnd.3gpp.mcdata-user-profile+xml application/vnd.3gpp.mcptt-affiliation-command+xml
application/vnd.3gpp.mcptt-floor-request+xml application/vnd.3gpp.mcptt-info+xml
application/vnd.3gpp.mcptt-location-info+xml application/vnd.3gpp.mcptt-mbms-usage-info+xml
application/vnd.3gpp.mcptt-regroup+xml application/vnd.3gpp.mcptt-service-config+xml
application/vnd.3gpp.mcptt-signed+xml application/vnd.3gpp.mcptt-ue-config+xml
application/vnd.3gpp.mcptt-ue-init-config+xml application/vnd.3gpp.mcptt-user-profile+xml
application/vnd.3gpp.mcvideo-affiliation-command+xml application/vnd.3gpp.mcvideo-info+xml
application/vnd.3gpp.mcvideo-location-info+xml application/vnd.3gpp.mcvideo-mbms-usage-info+xml
application/vnd.3gpp.mcvideo-service-config+xml application/vnd.3gpp.mcvideo-ue-config+xml
application/vnd.3gpp.mcvideo-user-profile+xml application/vnd.3gpp.mid-call+xml
application/vnd.3gpp.replication+xml application/vnd.3gpp.sms+xml
application/vnd.3gpp.srvcc-ext+xml application/vnd.3gpp.srvcc-info+xml
application/vnd.3gpp.state-and-event-info+xml application/vnd.3gpp.transmission-request+xml
application/vnd.3gpp.ussd+xml application/vnd.3gpp2.bcmcsinfo+xml application/vnd.etsi.aoc+xml
application/vnd.etsi.cug+xml application/vnd.etsi.iptvcommand+xml
application/vnd.etsi.iptvdiscovery+xml application/vnd.etsi.iptvprofile+xml
application/vnd.etsi.iptvsad-bc+xml application/vnd.etsi.iptvsad-cod+xml
application/vnd.etsi.iptvsad-npvr+xml application/vnd.etsi.iptvservice+xml
application/vnd.etsi.iptvsync+xml application/vnd.etsi.iptvueprofile+xml
application/vnd.etsi.mcid+xml application/vnd.etsi.overload-control-policy-dataset+xml
application/vnd.etsi.pstn+xml application/vnd.etsi.sci+xml application/vnd.etsi.simservs+xml
application/vnd.etsi.tsl+xml application/vnd.oma.access-permissions-list+xml
application/vnd.oma.alias-principals-list+xml
application/vnd.oma.bcast.associated-procedure-parameter+xml
application/vnd.oma.bcast.drm-trigger+xml application/vnd.oma.bcast.imd+xml
application/vnd.oma.bcast.notification+xml application/vnd.oma.bcast.sgdd+xml
application/vnd.oma.bcast.smartcard-trigger+xml application/vnd.oma.bcast.sprov+xml
application/vnd.oma.cab-address-book+xml application/vnd.oma.cab-feature-handler+xml
application/vnd.oma.cab-pcc+xml application/vnd.oma.cab-subs-invite+xml
application/vnd.oma.cab-user-prefs+xml application/vnd.oma.dd2+xml
application/vnd.oma.drm.risd+xml application/vnd.oma.fnl+xml
application/vnd.oma.group-usage-list+xml application/vnd.oma.pal+xml
application/vnd.oma.poc.detailed-progress-report+xml application/vnd.oma.poc.final-report+xml
application/vnd.oma.poc.groups+xml application/vnd.oma.poc.invocation-descriptor+xml
application/vnd.oma.poc.optimized-progress-report+xml application/vnd.oma.scidm.messages+xml
application/vnd.oma.suppnot+xml application/vnd.oma.xcap-directory+xml
application/vnd.oma.xdcp+xml application/vnd.oma.xdm-apd+xml application/vnd.oma.xdm-hi+xml
application/vnd.oma.xdm-prefs+xml application/vnd.oma.xdm-rhi+xml
application/vnd.omads-email+xml application/vnd.omads-file+xml application/vnd.omads-folder+xml
application/vnd.wv.csp+xml application/vnd.wv.csp.xml application/watcherinfo+xml
application/x-crd+xml application/x-wms-logconnectstats application/x-wms-logplaystats
application/x-wms-sendevent application/xcap-att+xml application/xcap-caps+xml
application/xcap-diff+xml application/xcap-el+xml application/xcap-error+xml
application/xcap-ns+xml application/xml application/xml-dtd application/xpidf+xml
application/xslt+xml image/svg+xml message/imdn+xml text/vnd.wap.co text/vnd.wap.emn
text/vnd.wap.si text/vnd.wap.sl text/vnd.wap.wml text/xml
`);

const JSON_TYPES = words(`
application/json application/x-ndjson application/json-rpc application/jsonrequest
application/problem+json application/json-patch+json application/merge-patch+json
application/dds-web+json application/senml+json application/sensml+json application/vnd.oma.lwm2m+json`);

/** Line-based text: named by type, unless the body is an XML document (then the XML dissector's). */
const TEXT_LINES_TYPES = words(`
text/plain text/html text/css text/javascript application/x-javascript
application/x-ns-proxy-autoconfig text/vnd.sun.j2me.app-descriptor text/richtext text/enriched
text/parameters text/xml-external-parsed-entity application/xml-external-parsed-entity
application/x-tia-p25-issi application/x-tia-p25-sndcp application/vnd.poc.refer-to
application/vnd.drm.message application/x-rtsp-udp-packetpair text/x-ref-list text/x-ref-simple`);

/** Named by type whatever the body holds (no image signatures looked for). */
const ALWAYS_NAMED_TYPES = words('application/x-www-form-urlencoded message/http application/pkix-cert');

/** Dissectors that add nothing to Info. */
const UNNAMED_TYPES = words(`
application/octet-stream video/mp2t application/cbor application/pkcs7-mime application/pkcs7-signature
application/grpc application/grpc+proto application/grpc+json application/grpc-web
application/grpc-web+proto application/grpc-web-text application/grpc-web-text+proto`);

/** Dissectors that name themselves in the Protocol column and add nothing to Info (SMIL is XML, named by its DTD). */
const OWN_PROTOCOL: ReadonlyMap<string, string> = new Map([
  ['application/smil', 'HTTP/SMIL'],
  ['application/sdp', 'HTTP/SDP'],
]);

const JSON_INFO = ', JavaScript Object Notation';

/**
 * A type tshark's media_type table holds a dissector for (lower-cased). HTTP hands any other
 * type to its catch-all `media` dissector; other protocols (IMF) hand it to nothing.
 */
export function isRegisteredMediaType(type: string): boolean {
  return (
    OWN_PROTOCOL.has(type) ||
    XML_TYPES.has(type) ||
    JSON_TYPES.has(type) ||
    TEXT_LINES_TYPES.has(type) ||
    ALWAYS_NAMED_TYPES.has(type)
  );
}

/** `type` as headFacts gives it (lower-cased, parameters cut), or null without a Content-Type. */
export function mediaColumns(type: string | null, body: BodyContent): MediaColumns {
  if (body.length === 0) return plain('');
  if (type === null) return plain(imageSuffix(body) ?? '');
  const own = OWN_PROTOCOL.get(type);
  if (own !== undefined) return { protocol: own, suffix: '' };
  if (XML_TYPES.has(type)) return { protocol: 'HTTP/XML', suffix: '' };
  if (JSON_TYPES.has(type)) {
    return isXmlDocument(body)
      ? { protocol: 'HTTP/JSON/XML', suffix: JSON_INFO }
      : { protocol: 'HTTP/JSON', suffix: `${JSON_INFO} (${type})` };
  }
  if (TEXT_LINES_TYPES.has(type)) {
    return isXmlDocument(body) ? { protocol: 'HTTP/XML', suffix: '' } : plain(` (${type})`);
  }
  if (ALWAYS_NAMED_TYPES.has(type)) return plain(` (${type})`);
  if (UNNAMED_TYPES.has(type) || type.startsWith('multipart/')) return plain('');
  return plain(imageSuffix(body) ?? ` (${type})`);
}

function plain(suffix: string): MediaColumns {
  return { protocol: 'HTTP', suffix };
}

/** tshark's text-lines dissector hands a body to XML when it is longer than 38 bytes and starts `<?xml`. */
function isXmlDocument(body: BodyContent): boolean {
  const p = body.prefix;
  return (
    body.length > 38 &&
    p.length >= 5 &&
    p[0] === 0x3c &&
    p[1] === 0x3f &&
    ((p[2] as number) | 0x20) === 0x78 &&
    ((p[3] as number) | 0x20) === 0x6d &&
    ((p[4] as number) | 0x20) === 0x6c
  );
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The image heuristics tshark tries on a body no media type claimed: at least 20 bytes and a signature. */
function imageSuffix(body: BodyContent): string | null {
  const p = body.prefix;
  if (body.length < 20 || p.length < 11) return null;
  if (PNG_SIGNATURE.every((b, i) => p[i] === b)) return ' (PNG)';
  const gif = String.fromCharCode(...p.subarray(0, 6));
  if (gif === 'GIF87a' || gif === 'GIF89a') return ` (${gif})`;
  const marker = String.fromCharCode(...p.subarray(6, 11));
  if (p[0] === 0xff && p[1] === 0xd8 && (marker === 'JFIF\0' || marker === 'Exif\0')) return ' (JPEG JFIF image)';
  return null;
}

function words(text: string): ReadonlySet<string> {
  return new Set(text.split(/\s+/).filter((w) => w !== ''));
}
