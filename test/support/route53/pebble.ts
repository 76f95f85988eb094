/** Pebble validating against the Route 53 test server's DNS: the AWS path end to end, on loopback. */
import { type TestCa, startTestCa } from '../local-ca.js';
import { type Route53TestServer, startRoute53TestServer } from './server.js';

export interface PebbleOnRoute53 {
  readonly server: Route53TestServer;
  readonly ca: TestCa;
  readonly zoneId: string;
  stop(): Promise<void>;
}

/** No authorization reuse, so every run really validates through Route 53. */
export async function startPebbleOnRoute53(zone = 'example.test'): Promise<PebbleOnRoute53> {
  const server = await startRoute53TestServer();
  const zoneId = server.addZone(zone).id;
  const ca = await startTestCa({ pebbleDnsServer: `${server.dns.host}:${server.dns.port}`, pebbleEnv: { PEBBLE_AUTHZREUSE: '0' } });
  return {
    server,
    ca,
    zoneId,
    stop: async () => {
      await ca.stop();
      await server.stop();
    },
  };
}
