// axios requires form-data, which requires mime-types, which loads mime-db: 134 KiB of JSON
// (186 KB in a bundle) that only names the Content-Type of a file appended to a multipart body.
// ACME requests are JSON, so certstep never sends one. Bundles alias mime-db to this empty
// database: mime-types then knows no type, and form-data would fall back to
// application/octet-stream for a file part.
module.exports = {};
