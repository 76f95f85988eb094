/**
 * The cloud assembly as `cdk deploy` would hand it over: the template, and each Lambda's asset
 * directory found through the assets manifest by the S3 key the template names. Intrinsics are
 * resolved against the physical names the resource creator gave the resources it made, as
 * CloudFormation resolves them against the ones it made.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
}
export interface Template {
  readonly Resources: Record<string, TemplateResource>;
}

export interface Assembly {
  readonly directory: string;
  readonly template: Template;
  /** Lambda logical id → absolute directory of its unzipped code. */
  readonly codeDirectories: ReadonlyMap<string, string>;
  /** Every file asset by its S3 object key: what `cdk deploy` uploads before the stack update. */
  readonly assetFiles: ReadonlyMap<string, string>;
}

interface AssetsManifest {
  readonly files: Record<string, { source: { path: string; packaging?: string }; destinations: Record<string, { objectKey: string }> }>;
}

export function readAssembly(directory: string, stackName: string): Assembly {
  const template = JSON.parse(readFileSync(join(directory, `${stackName}.template.json`), 'utf8')) as Template;
  const manifest = JSON.parse(readFileSync(join(directory, `${stackName}.assets.json`), 'utf8')) as AssetsManifest;
  const byKey = new Map<string, string>();
  for (const file of Object.values(manifest.files)) {
    for (const destination of Object.values(file.destinations)) byKey.set(destination.objectKey, join(directory, file.source.path));
  }
  const codeDirectories = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const key = (resource.Properties?.Code as { S3Key?: string } | undefined)?.S3Key;
    const found = key && byKey.get(key);
    if (!found) throw new Error(`${logicalId}: its Code.S3Key ${String(key)} is not in ${stackName}.assets.json`);
    codeDirectories.set(logicalId, found);
  }
  return { directory, template, codeDirectories, assetFiles: byKey };
}

export function resourcesOfType(template: Template, type: string): Array<[string, TemplateResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** What CloudFormation would answer for Ref and Fn::GetAtt of each resource made. */
export interface PhysicalResources {
  readonly accountId: string;
  readonly region: string;
  ref(logicalId: string): string;
  getAtt(logicalId: string, attribute: string): string;
}

/** Ref, Fn::GetAtt, Fn::Join, Fn::Sub and the pseudo parameters; anything else fails loudly. */
export function resolve(value: Json, physical: PhysicalResources): Json {
  if (Array.isArray(value)) return value.map((item) => resolve(item, physical));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const argument = value[key] as Json;
    if (key === 'Ref') return refOf(argument as string, physical);
    if (key === 'Fn::GetAtt') {
      const [logicalId, attribute] = argument as [string, string];
      return physical.getAtt(logicalId, attribute);
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = argument as [string, Json[]];
      return parts.map((part) => String(resolve(part, physical))).join(separator);
    }
    if (key === 'Fn::Sub') {
      const text = typeof argument === 'string' ? argument : ((argument as Json[])[0] as string);
      return text.replace(/\$\{([^}]+)\}/g, (_whole, name: string) =>
        name.includes('.') ? physical.getAtt(...(name.split('.', 2) as [string, string])) : refOf(name, physical),
      );
    }
    if (key.startsWith('Fn::')) throw new Error(`the template uses ${key}, which the as-deployed test does not resolve`);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item, physical)]));
}

function refOf(name: string, physical: PhysicalResources): string {
  switch (name) {
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::Region':
      return physical.region;
    case 'AWS::AccountId':
      return physical.accountId;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    default:
      return physical.ref(name);
  }
}
