import type { BuildOptions, BuildResult, Metafile, Plugin } from 'esbuild';

export const ROOT: string;
export const ESM_REQUIRE_BANNER: string;
export function stubLists(): { readonly everyBundle: Record<string, string>; readonly lambdasOnly: Record<string, string> };
export function stubAliases(stubs: Readonly<Record<string, string>>): Record<string, string>;
export function lambdaAliases(): Record<string, string>;
export const USER_AGENT_PACKAGE_JSON: RegExp;
export function userAgentPackageJson(): Plugin;
export const SDK_SCHEMAS: RegExp;
export function literalSchemaKeys(source: string): string;
export function sdkSchemaKeys(): Plugin;
export function lambdaCodeOptions(): BuildOptions;
export function lambdaBuildOptions(entry: string, outdir: string): BuildOptions & { metafile: true };
export function bundleLambda(entry: string, outdir: string, extra?: BuildOptions): Promise<BuildResult<{ metafile: true }>>;
export function splitOutputs(metafile: Metafile): { startup: string[]; lazy: string[] };
