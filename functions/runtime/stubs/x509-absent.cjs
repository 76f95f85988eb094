// acme-client's crypto module loads @peculiar/x509 and asn1js (with tsyringe and reflect-metadata:
// ~250 KiB minified, ~45 ms of initialisation at a cold start) for CSRs, certificate parsing,
// alternate chains and TLS-ALPN. certstep's Lambdas make no CSR with it (Finalize's is certstep's
// own, core/csr.ts) and revoke nothing; StoreCertificate reads the chains it downloads with Node's
// own X509Certificate (core/preferred-chain.ts, core/verify-certificate.ts, core/ari.ts), so every
// Lambda bundle aliases both packages to this (lambdasOnly in aliases.json; the CLI, which
// revokes, keeps the library). At load acme-client only hands x509 the Web Crypto provider, and
// finalizeOrder reads the CSR's PEM (PemConverter below); anything else it asks for fails loudly,
// naming the way out.
const MESSAGE =
  'X.509 is not bundled in this certstep Lambda: it makes no CSR with acme-client and reads certificates with node:crypto only. ' +
  'If it now must, take it out of lambdasOnly in functions/runtime/stubs/aliases.json';

function absent(property) {
  const error = new Error(`${MESSAGE} (asked for ${String(property)})`);
  error.name = 'X509NotBundled';
  throw error;
}

function guarded(target) {
  return new Proxy(target, {
    get(object, property) {
      if (property in object) return object[property];
      // Module interop and inspection probe these; answering "none" is not a use.
      if (typeof property === 'symbol' || property === '__esModule' || property === 'then') return undefined;
      return absent(property);
    },
  });
}

// PEM (RFC 7468) as acme-client's getPemBodyAsB64u uses it when finalizeOrder sends a CSR: split
// the text into blocks (decodeWithHeaders), write each back (encode), take the first block's
// octets (decodeFirst). It reads what @peculiar/x509's PemConverter reads for blocks of base64
// lines, LF or CRLF; a block it cannot read the same way (RFC 1421 headers, say) is refused
// rather than skipped. test/runtime/x509-stub.test.ts compares the two.
const PEM_BLOCK = /-----BEGIN ([^\n]+?)-----\n\n?((?:[A-Za-z0-9+/=]+\n)+)-----END \1-----/g;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeWithHeaders(pem) {
  const text = pem.replace(/\r/g, '');
  const blocks = [...text.matchAll(PEM_BLOCK)].map(([, type, lines]) => {
    const base64 = lines.replace(/\n/g, '');
    if (!BASE64.test(base64)) throw new TypeError("Argument 'base64Text' is not Base64 encoded");
    return { type, headers: [], rawData: new Uint8Array(Buffer.from(base64, 'base64')).buffer };
  });
  if (blocks.length !== text.split('-----BEGIN ').length - 1) absent('PemConverter.decodeWithHeaders of a PEM block other than base64 lines');
  return blocks;
}

function decodeFirst(pem) {
  const [first] = decodeWithHeaders(pem);
  if (!first) throw new RangeError("PEM string doesn't contain any objects");
  return first.rawData;
}

function encode(structs, tag) {
  if (!Array.isArray(structs) || tag !== undefined) return absent('PemConverter.encode of raw octets');
  return structs
    .map(({ type, rawData }) => {
      const label = type.toLocaleUpperCase();
      const lines =
        Buffer.from(rawData)
          .toString('base64')
          .match(/.{1,64}/g) ?? [];
      return [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`].join('\n');
    })
    .join('\n');
}

module.exports = guarded({ cryptoProvider: { set() {} }, PemConverter: guarded({ decodeWithHeaders, decodeFirst, encode }) });
