// acme-client's crypto module loads @peculiar/x509 and asn1js (with tsyringe and reflect-metadata:
// ~250 KiB minified, ~45 ms of initialisation at a cold start) for CSRs, certificate parsing,
// alternate chains and TLS-ALPN. The Lambdas listed under byHandler in aliases.json make no CSR
// and revoke nothing; StoreCertificate reads the chains it downloads with Node's own
// X509Certificate (core/preferred-chain.ts, core/verify-certificate.ts, core/ari.ts), so their
// bundles alias both packages to this. At load acme-client only hands x509 the Web Crypto
// provider; anything else it asks for fails loudly, naming the way out.
const MESSAGE =
  'X.509 is not bundled in this certstep Lambda: it makes no CSR and reads certificates with node:crypto only. ' +
  'If it now must, remove it from byHandler in functions/runtime/stubs/aliases.json';

function absent(property) {
  const error = new Error(`${MESSAGE} (asked for ${String(property)})`);
  error.name = 'X509NotBundled';
  throw error;
}

const loaded = { cryptoProvider: { set() {} } };

module.exports = new Proxy(loaded, {
  get(target, property) {
    if (property in target) return target[property];
    // Module interop and inspection probe these; answering "none" is not a use.
    if (typeof property === 'symbol' || property === '__esModule' || property === 'then') return undefined;
    return absent(property);
  },
});
