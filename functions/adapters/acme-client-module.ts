/**
 * acme-client and the axios instance it keeps (in the Lambda bundles, axios's stand-in), loaded
 * without waking Node's fetch: every certstep module takes them from here, never from the
 * packages directly. The first import hides the
 * fetch globals (fetch-globals-hidden.ts says why) until both packages have loaded; the import
 * order below is the point of this file.
 */
// First: its evaluation hides the globals before the two packages below load.
import { restoreFetchGlobals } from './fetch-globals-hidden.js';
import acme from 'acme-client';
import axios from './axios-cjs.cjs';

restoreFetchGlobals();

export { acme, axios };
