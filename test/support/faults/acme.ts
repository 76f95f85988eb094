/**
 * The real ACME gateway with a recorder (and, when asked, a fault) in front of it: tests see
 * every newOrder, finalize and download a run made, and can make one request misbehave
 * without touching production code.
 */
import type { LocalEnvironment } from '../../../cli/local/environment.js';
import { localDependencies } from '../../../cli/local/runner.js';
import type { AcmeGateway } from '../../../functions/ports/acme-gateway.js';
import type { CertificateStore } from '../../../functions/ports/certificate-store.js';

export interface AcmeCalls {
  createOrder: number;
  finalizeOrder: number;
  acceptChallenge: number;
  downloads: string[];
}

export type AcmeFault = (gateway: AcmeGateway) => Partial<AcmeGateway>;

export interface RecordingAcme {
  readonly acme: (issuer: string) => Promise<AcmeGateway>;
  readonly calls: AcmeCalls;
  /** A plain gateway on the same account, for the test's own looks at the CA (orders, certificates). */
  gateway(): Promise<AcmeGateway>;
}

/**
 * Gateways over `environment` and the run's store (`storeDir`'s file store unless `store` is
 * given), so the account the test looks with is the one the run registered.
 */
export function recordingAcme(environment: LocalEnvironment, storeDir: string, fault: AcmeFault = () => ({}), store?: CertificateStore): RecordingAcme {
  const base = localDependencies({ input: {}, storeDir, environment, ...(store && { dependencies: { store } }) }).acme;
  const calls: AcmeCalls = { createOrder: 0, finalizeOrder: 0, acceptChallenge: 0, downloads: [] };
  const acme = async (issuer: string): Promise<AcmeGateway> => {
    const real = await base(issuer);
    const faulty: AcmeGateway = Object.assign(Object.create(real) as AcmeGateway, fault(real));
    return Object.assign(Object.create(faulty) as AcmeGateway, {
      createOrder: (...args: Parameters<AcmeGateway['createOrder']>) => {
        calls.createOrder++;
        return faulty.createOrder(...args);
      },
      finalizeOrder: (...args: Parameters<AcmeGateway['finalizeOrder']>) => {
        calls.finalizeOrder++;
        return faulty.finalizeOrder(...args);
      },
      acceptChallenge: (...args: Parameters<AcmeGateway['acceptChallenge']>) => {
        calls.acceptChallenge++;
        return faulty.acceptChallenge(...args);
      },
      downloadCertificate: (url: string) => {
        calls.downloads.push(url);
        return faulty.downloadCertificate(url);
      },
    });
  };
  return { acme, calls, gateway: () => base('local') };
}

/** What Step Functions reports when a Lambda dies mid-invocation (out of memory, runtime exit). */
export function lambdaDied(): Error {
  return Object.assign(new Error('RequestId: 00000000-test Error: Runtime exited with error: signal: killed'), { name: 'Lambda.Unknown' });
}

export function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
