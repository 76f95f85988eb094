// acme-client loads its deprecated node-forge interface (acme.forge) at start-up; certstep
// uses acme.crypto only. Bundles alias node-forge to this stub, which saves ~290 KB and fails
// loudly if anything ever calls into it.
function unavailable() {
  throw new Error('node-forge is not bundled in certstep Lambdas; use acme.crypto');
}
module.exports = {
  pki: { rsa: { generateKeyPair: unavailable }, privateKeyFromPem: unavailable, publicKeyFromPem: unavailable },
  pem: { decode: unavailable },
};
