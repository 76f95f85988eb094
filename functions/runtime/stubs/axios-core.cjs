/**
 * The part of axios that acme-client uses, for the Lambda bundles (aliased there in place of
 * axios by aliases.json). acme-client sends every request through one axios instance
 * (acme-client/src/axios.js): it sets default headers and settings, and adds a request and a
 * response interceptor that route every answer through its retry logic. The sending itself is
 * certstep's (the adapter function functions/adapters/acme-http.ts installs), so axios's http
 * adapter, with follow-redirects, form-data, proxy-from-env and their dependencies (~130 KiB of
 * each ACME bundle, most of its import time), is never used. This keeps what axios does
 * around the adapter, as axios 1.x does it:
 *   - config: the instance's defaults, then the request's (a key the request sets, even to
 *     null, wins); headers from defaults.headers.common, then defaults.headers[method], then
 *     any other defaults.headers, then the request's, one per name whatever its case;
 *   - request interceptors run last-added first, response interceptors in the order added;
 *   - an object body is sent as JSON (Content-Type application/json unless one is set), and
 *     a POST, PUT or PATCH without a Content-Type gets application/x-www-form-urlencoded;
 *   - a string answer that parses as JSON is handed back parsed, else as it came (axios's
 *     default forcedJSONParsing with silentJSONParsing), on resolved and rejected answers alike.
 * test/runtime/axios-core-stub.test.ts drives acme-client's own instance through this and
 * through axios, with the same adapter, and compares what comes out.
 */
'use strict';

class AxiosError extends Error {
  constructor(message, code, config, request, response) {
    super(message);
    this.name = 'AxiosError';
    this.isAxiosError = true;
    if (code) this.code = code;
    if (config) this.config = config;
    if (request) this.request = request;
    if (response) {
      this.response = response;
      this.status = response.status;
    }
  }
}
AxiosError.ERR_BAD_REQUEST = 'ERR_BAD_REQUEST';
AxiosError.ERR_BAD_RESPONSE = 'ERR_BAD_RESPONSE';

class NotBundled extends Error {
  constructor(what) {
    super(
      `${what} is not in certstep's Lambda bundles: axios is aliased there to functions/runtime/stubs/axios-core.cjs, which sends through the adapter function acme-http.ts installs. Take axios out of lambdasOnly in functions/runtime/stubs/aliases.json to use it.`,
    );
    this.name = 'AxiosNotBundled';
  }
}

const METHODS = ['get', 'head', 'delete', 'options', 'post', 'put', 'patch'];
/** The methods that send a body: axios gives them a data argument and a default Content-Type. */
const BODY_METHODS = ['post', 'put', 'patch'];

function interceptorManager() {
  const handlers = [];
  return {
    handlers,
    use(fulfilled, rejected) {
      handlers.push({ fulfilled, rejected });
      return handlers.length - 1;
    },
    eject(id) {
      handlers[id] = null;
    },
  };
}

/** The name a header already goes by in `headers`, whatever its case. */
function headerKey(headers, name) {
  return Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
}

function hasHeader(headers, name) {
  const key = headerKey(headers, name);
  return key !== undefined && headers[key] !== undefined && headers[key] !== null;
}

function isPlainData(data) {
  return data !== null && typeof data === 'object' && !Buffer.isBuffer(data) && !ArrayBuffer.isView(data) && !(data instanceof ArrayBuffer);
}

function parsed(data) {
  if (typeof data !== 'string' || data === '') return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/** Header names are one whatever their case: a later value replaces an earlier one under the earlier name. */
function assignHeaders(target, source) {
  for (const [name, value] of Object.entries(source ?? {})) target[headerKey(target, name) ?? name] = value;
  return target;
}

function mergedConfig(defaults, config) {
  const method = String(config.method ?? defaults.method ?? 'get').toLowerCase();
  const { common, ...byMethod } = defaults.headers ?? {};
  const direct = Object.fromEntries(Object.entries(byMethod).filter(([name]) => !METHODS.includes(name)));
  const headers = [common, byMethod[method], direct, config.headers].reduce(assignHeaders, {});
  return { ...defaults, ...config, method, headers };
}

async function dispatch(config) {
  if (typeof config.adapter !== 'function') throw new NotBundled(`axios's ${JSON.stringify(config.adapter ?? 'default')} adapter`);
  const headers = { ...config.headers };
  let data = config.data;
  if (isPlainData(data)) {
    if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/json';
    data = JSON.stringify(data);
  }
  if (BODY_METHODS.includes(config.method) && !hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const request = { ...config, headers, data };
  try {
    const response = await config.adapter(request);
    return { ...response, data: parsed(response.data) };
  } catch (error) {
    if (error?.response) error.response = { ...error.response, data: parsed(error.response.data) };
    throw error;
  }
}

function createInstance(instanceDefaults) {
  const defaults = {
    timeout: 0,
    validateStatus: (status) => status >= 200 && status < 300,
    ...instanceDefaults,
    headers: {
      common: { Accept: 'application/json, text/plain, */*' },
      ...Object.fromEntries(METHODS.map((method) => [method, {}])),
      ...instanceDefaults?.headers,
    },
  };
  const interceptors = { request: interceptorManager(), response: interceptorManager() };

  function request(configOrUrl, maybeConfig) {
    const config = typeof configOrUrl === 'string' ? { ...maybeConfig, url: configOrUrl } : { ...configOrUrl };
    let chain = Promise.resolve(mergedConfig(instance.defaults, config));
    for (const handler of [...interceptors.request.handlers].reverse()) if (handler) chain = chain.then(handler.fulfilled, handler.rejected);
    chain = chain.then(dispatch);
    for (const handler of interceptors.response.handlers) if (handler) chain = chain.then(handler.fulfilled, handler.rejected);
    return chain;
  }

  const instance = (configOrUrl, maybeConfig) => request(configOrUrl, maybeConfig);
  instance.defaults = defaults;
  instance.interceptors = interceptors;
  instance.request = request;
  for (const method of METHODS) instance[method] = (url, config) => request({ ...config, url, method });
  for (const method of BODY_METHODS) instance[method] = (url, data, config) => request({ ...config, url, method, data });
  instance.create = (config) => createInstance({ ...config, headers: { ...config?.headers } });
  instance.AxiosError = AxiosError;
  instance.isAxiosError = (value) => value?.isAxiosError === true;
  instance.getAdapter = (name) => {
    throw new NotBundled(`axios's ${JSON.stringify(name)} adapter`);
  };
  return instance;
}

const axios = createInstance({});
axios.default = axios;
module.exports = axios;
