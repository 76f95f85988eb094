/**
 * The bundles alias @aws-sdk/endpoint-cache to this module. Every DynamoDB client builds the
 * cache of endpoint discovery when it is constructed, an LRU from mnemonist and obliterator
 * (~7.5 KiB that each cold start of CheckRenewal, the sweeps, SyncCatalog and the ledger's
 * other users parsed). No command reads it: the DynamoDB commands of the SDK certstep installs
 * add no endpoint discovery middleware (test/runtime/endpoint-cache-stub.test.ts holds the
 * installed client to that), and certstep never turns discovery on.
 *
 * This cache is always empty, so if a later SDK did ask it for an endpoint, the client would
 * call the one it resolves itself, as it does with discovery off. It does not throw: the SDK
 * stores a DescribeEndpoints answer from a promise nobody awaits, and a throw there would be
 * an unhandled rejection that ends the Lambda's process.
 */

/** An endpoint as the SDK's cache hands it out. */
interface CachedEndpoint {
  readonly Address: string;
  readonly Expires: number;
}

/** Same name and methods as the SDK's EndpointCache. */
export class EndpointCache {
  getEndpoint(_key: string): string | undefined {
    return undefined;
  }

  get(_key: string): CachedEndpoint[] | undefined {
    return undefined;
  }

  has(_key: string): boolean {
    return false;
  }

  set(_key: string, _endpoints: readonly unknown[]): void {}

  delete(_key: string): void {}

  clear(): void {}
}
