// aws-xray-sdk-core (under the Powertools Tracer) requires the whole of semver, 30 KiB minified,
// for one semver.gte: the AWS SDK v2 version check in captureAWS, which certstep never calls (the
// Tracer wraps v3 clients with captureAWSv3Client). Bundles alias semver to this gte of release
// versions; anything it cannot compare exactly, it refuses instead of guessing.
const RELEASE = /^v?(\d+)\.(\d+)\.(\d+)$/;

function release(version) {
  const match = RELEASE.exec(String(version).trim());
  if (!match) throw new TypeError(`semver is reduced to release versions in certstep Lambdas: ${version}`);
  return match.slice(1).map(Number);
}

function gte(a, b) {
  const left = release(a);
  const right = release(b);
  for (let i = 0; i < 3; i++) if (left[i] !== right[i]) return left[i] > right[i];
  return true;
}

module.exports = { gte };
