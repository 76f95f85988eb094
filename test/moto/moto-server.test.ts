/**
 * The moto_server helper itself: it starts, answers the SDK, resets, and its absence is an error
 * that names the tool (never a skip).
 */
import { CreateSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingImageTool, requireImageTool } from '../support/image-tools.js';
import { type Moto, startMoto } from '../support/moto.js';

describe('moto_server for the tests', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => moto?.stop());

  it('serves the v3 SDK, and a reset drops what was created', async () => {
    const client = new SecretsManagerClient({
      endpoint: moto.endpoint,
      region: moto.region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await client.send(new CreateSecretCommand({ Name: 'certstep/moto-check', SecretString: '{}' }));
    expect((await client.send(new ListSecretsCommand({}))).SecretList?.map((s) => s.Name)).toEqual(['certstep/moto-check']);
    await moto.reset();
    expect((await client.send(new ListSecretsCommand({}))).SecretList ?? []).toEqual([]);
  });

  it('a missing image tool fails with a message naming it and where it comes from', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => requireImageTool('moto_server')).toThrow(MissingImageTool);
      expect(() => requireImageTool('cfn-lint')).toThrow(/cfn-lint is not on PATH.*machine image/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('both image tools are on this machine (the suite fails here, loudly, when one is not)', () => {
    expect(requireImageTool('moto_server')).toMatch(/moto_server$/);
    expect(requireImageTool('cfn-lint')).toMatch(/cfn-lint$/);
  });
});
