/** Section 1, continued: the peer clients, their versions and settings. */
import type { ThroughputResult } from '../throughput.js';

export function renderPeers(throughput: ThroughputResult): string[] {
  const lines: string[] = [];
  if (throughput.peers.length > 0) {
    lines.push('### Peer clients', '', '| client | Debian version | settings beyond the defaults | status |', '| --- | --- | --- | --- |');
    for (const peer of throughput.peers)
      lines.push(`| ${peer.name} | ${peer.version} | ${peer.settings} | ${peer.problem ? `**not run**: ${peer.problem}` : 'ran'} |`);
    lines.push(
      '',
      'Key types differ by default (certbot and lego: ECDSA P-256, dehydrated: P-384, uacme: RSA 2048, certstep and the floor: P-256).',
      'Every peer pays its process start-up for every certificate, which is what running them as documented means.',
      'The apex and the wildcard share `_acme-challenge.<name>`: the hooks append values (challtestsrv keeps both) and clear the name',
      'afterwards. uacme has no CA option and uses libcurl-gnutls, which ignores `CURL_CA_BUNDLE`/`SSL_CERT_FILE`; it runs in a private',
      "mount namespace (`unshare -m`, root only) in which a copy of the system CA bundle with Pebble's CA appended is bind-mounted over",
      "`/etc/ssl/certs/ca-certificates.crt`; the machine's trust store is never changed. Without root, uacme cannot be pointed at Pebble.",
      '',
    );
  }
  return lines;
}
