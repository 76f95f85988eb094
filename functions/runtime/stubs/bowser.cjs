// The AWS SDK's core exports a browser user-agent provider that imports bowser (a browser
// detector, ~34 KiB minified) lazily, to parse window.navigator.userAgent. A Node client builds
// its user agent with the Node provider and never calls it, but esbuild still writes a chunk
// for every dynamic import it meets, so each Lambda shipped bowser unread. Without a window the
// browser provider would not parse anything either; if it ever asks, it gets no parser and
// falls back to its own "unknown" (parse ?? default.parse ?? () => "").
module.exports = {};
