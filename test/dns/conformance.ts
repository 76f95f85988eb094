/**
 * The contract every DNS provider keeps, in cert-manager's manner: one suite, run against
 * each provider over its real transport. A provider passes only if it adds values next to
 * others, removes only its own, and is safe to repeat.
 */
import { describe, expect, it } from 'vitest';
import type { ChallengeRecord, DnsProvider, Presented } from '../../functions/ports/dns-provider.js';

export interface ConformanceHarness {
  /** A fresh provider, as one Lambda invocation would build it. */
  provider(): DnsProvider;
  /** The values the CA would see at this name now. */
  visibleValues(recordName: string): Promise<string[]>;
  /** Puts a value there the way another tool would, outside the provider. */
  seedForeignValue(recordName: string, value: string): Promise<void>;
  /** A domain this harness can hold records for, unique per call. */
  domain(): string;
}

const record = (dnsName: string, value: string): ChallengeRecord => ({ dnsName, recordName: `_acme-challenge.${dnsName}`, value });

async function presentAndWait(provider: DnsProvider, records: ChallengeRecord[]): Promise<Presented> {
  const presented = await provider.present(records);
  for (let attempt = 0; attempt < 50; attempt++) {
    if ((await provider.isPropagated(records, presented)).ready) return presented;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('values never propagated');
}

/** cnameStrategy "Follow", for providers that offer it. */
export interface FollowHarness {
  /** A fresh provider that follows the CNAME at `_acme-challenge.<name>`. */
  provider(): DnsProvider;
  /** Puts a CNAME at a name, the way the name's owner delegates its challenges. */
  delegate(recordName: string, target: string): Promise<void>;
  /** The CNAME target at a name, as DNS answers it now. */
  cnameOf(recordName: string): Promise<string | undefined>;
  /** A name in a zone the provider can write, unique per call. */
  targetName(): string;
}

/**
 * What a provider cannot do by design. The cases that need it are skipped (and show as
 * skipped), and the cases after them check what such a provider promises instead; a provider
 * that can do everything leaves this out and runs every case.
 */
export interface ProviderCapabilities {
  /**
   * false for acme-dns: its API has no delete, the server keeps the two newest values of a
   * name and each new value pushes the oldest out. Clean-up must then be harmless and change
   * nothing, and the cases that expect a value to be gone after clean-up do not apply.
   */
  readonly removesValues?: boolean;
  /** cnameStrategy "Follow", for a provider that offers it: its cases run only then. */
  readonly follow?: () => FollowHarness;
}

export function describeDnsProviderConformance(providerName: string, harness: () => ConformanceHarness, capabilities: ProviderCapabilities = {}): void {
  const removes = capabilities.removesValues !== false;
  const { follow } = capabilities;
  describe(`DNS provider conformance: ${providerName}`, () => {
    // Registered only for a provider that declares the capability, so a run lists what it proved.
    if (follow) {
      it('with cnameStrategy Follow, presents at the CNAME target, cleans up there, and never touches the CNAME', async () => {
        // Prepare
        const h = harness();
        const f = follow();
        const name = h.domain();
        const target = f.targetName();
        await f.delegate(`_acme-challenge.${name}`, target);
        const records = [record(name, 'followed-one'), record(name, 'followed-two')];

        // Act
        const presented = await presentAndWait(f.provider(), records);
        const atTarget = await h.visibleValues(target);
        const stillPending = await f.provider().isPropagated(records, presented);
        await f.provider().cleanUp(records);

        // Assess
        expect(atTarget.sort()).toEqual(['followed-one', 'followed-two']);
        expect(stillPending.ready).toBe(true);
        expect(await h.visibleValues(target)).toEqual([]);
        expect(await f.cnameOf(`_acme-challenge.${name}`)).toBe(target);
      });

      it('with cnameStrategy Follow, reports the records still pending by their own names', async () => {
        const h = harness();
        const f = follow();
        const name = h.domain();
        const target = f.targetName();
        await f.delegate(`_acme-challenge.${name}`, target);

        const result = await f.provider().isPropagated([record(name, 'not-presented')], { changeIds: [] });

        expect(result.ready).toBe(false);
        expect(result.ready === false && result.pending.map((pending) => pending.recordName)).toEqual([`_acme-challenge.${name}`]);
      });
    }

    it.runIf(removes)('presents, reports propagated, cleans up, and the value is gone', async () => {
      // Prepare
      const h = harness();
      const name = h.domain();
      const records = [record(name, 'token-one')];

      // Act
      await presentAndWait(h.provider(), records);
      const whilePresented = await h.visibleValues(`_acme-challenge.${name}`);
      await h.provider().cleanUp(records);

      // Assess
      expect(whilePresented).toEqual(['token-one']);
      expect(await h.visibleValues(`_acme-challenge.${name}`)).toEqual([]);
    });

    it('says "not yet" (a value, not an error) for a value that is not there', async () => {
      const h = harness();
      const name = h.domain();
      const result = await h.provider().isPropagated([record(name, 'never-presented')], { changeIds: [] });
      expect(result.ready).toBe(false);
    });

    it('keeps apex and wildcard values side by side at one name', async () => {
      // Prepare: an apex and a wildcard authorization share _acme-challenge.<name>.
      const h = harness();
      const name = h.domain();

      // Act
      await presentAndWait(h.provider(), [record(name, 'apex-token'), record(name, 'wildcard-token')]);

      // Assess
      expect((await h.visibleValues(`_acme-challenge.${name}`)).sort()).toEqual(['apex-token', 'wildcard-token']);
    });

    it.runIf(removes)('deletes one value and keeps the others', async () => {
      // Prepare
      const h = harness();
      const name = h.domain();
      await presentAndWait(h.provider(), [record(name, 'keep-me'), record(name, 'remove-me')]);

      // Act
      await h.provider().cleanUp([record(name, 'remove-me')]);

      // Assess
      expect(await h.visibleValues(`_acme-challenge.${name}`)).toEqual(['keep-me']);
    });

    it.runIf(removes)('leaves a value someone else put there', async () => {
      // Prepare
      const h = harness();
      const name = h.domain();
      await h.seedForeignValue(`_acme-challenge.${name}`, 'foreign-value');

      // Act
      await presentAndWait(h.provider(), [record(name, 'ours')]);
      const both = await h.visibleValues(`_acme-challenge.${name}`);
      await h.provider().cleanUp([record(name, 'ours')]);

      // Assess
      expect(both.sort()).toEqual(['foreign-value', 'ours']);
      expect(await h.visibleValues(`_acme-challenge.${name}`)).toEqual(['foreign-value']);
    });

    it.runIf(removes)('lets two certificates that share a name come and go independently', async () => {
      // Prepare: two runs, two provider instances, interleaved.
      const h = harness();
      const name = h.domain();
      const first = h.provider();
      const second = h.provider();

      // Act
      await presentAndWait(first, [record(name, 'cert-a')]);
      await presentAndWait(second, [record(name, 'cert-b')]);
      await first.cleanUp([record(name, 'cert-a')]);
      const afterFirstCleanUp = await h.visibleValues(`_acme-challenge.${name}`);
      await second.cleanUp([record(name, 'cert-b')]);

      // Assess
      expect(afterFirstCleanUp).toEqual(['cert-b']);
      expect(await h.visibleValues(`_acme-challenge.${name}`)).toEqual([]);
    });

    it('is safe to present twice', async () => {
      const h = harness();
      const name = h.domain();
      await presentAndWait(h.provider(), [record(name, 'twice')]);
      await presentAndWait(h.provider(), [record(name, 'twice')]);
      expect(await h.visibleValues(`_acme-challenge.${name}`)).toEqual(['twice']);
    });

    it.runIf(removes)('is safe to clean up what is already gone', async () => {
      // Prepare
      const h = harness();
      const name = h.domain();
      await presentAndWait(h.provider(), [record(name, 'gone-soon')]);
      await h.provider().cleanUp([record(name, 'gone-soon')]);

      // Act + Assess: neither a second clean-up nor one for a never-presented value throws.
      await h.provider().cleanUp([record(name, 'gone-soon')]);
      await h.provider().cleanUp([record(h.domain(), 'never-there')]);
      expect(await h.visibleValues(`_acme-challenge.${name}`)).toEqual([]);
    });

    it.runIf(!removes)('cannot remove: presents, reports propagated, and clean-up is harmless and changes nothing', async () => {
      // Prepare
      const h = harness();
      const name = h.domain();
      const records = [record(name, 'stays')];
      await presentAndWait(h.provider(), records);

      // Act: a clean-up, a repeat, and one for a value never presented must not throw.
      await h.provider().cleanUp(records);
      await h.provider().cleanUp(records);
      await h.provider().cleanUp([record(h.domain(), 'never-there')]);

      // Assess
      expect(await h.visibleValues(`_acme-challenge.${name}`)).toEqual(['stays']);
    });
  });
}
