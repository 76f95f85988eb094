/** The certificate catalog as a Map, counting what it is asked to write, for the sync and sweep tests. */
import type { CatalogEntry, WritableCertificateCatalog } from '../../functions/ports/certificate-catalog.js';

export class MemoryCatalog implements WritableCertificateCatalog {
  readonly items = new Map<string, CatalogEntry>();
  readonly puts: string[] = [];
  readonly deletes: string[] = [];

  constructor(entries: readonly CatalogEntry[] = []) {
    for (const entry of entries) this.items.set(entry.name, structuredClone(entry));
  }

  async entries(): Promise<CatalogEntry[]> {
    return [...this.items.values()].map((entry) => structuredClone(entry));
  }

  async get(name: string): Promise<CatalogEntry | undefined> {
    const entry = this.items.get(name);
    return entry && structuredClone(entry);
  }

  async put(entry: CatalogEntry): Promise<void> {
    this.puts.push(entry.name);
    this.items.set(entry.name, structuredClone(entry));
  }

  async delete(name: string): Promise<void> {
    this.deletes.push(name);
    this.items.delete(name);
  }
}
