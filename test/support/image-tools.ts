/**
 * moto_server and cfn-lint are Python tools that come with this machine image, not from npm nor
 * Debian, so `npm ci` cannot bring them. A test that needs one fails with a message naming it
 * and saying where it comes from: a missing tool must never turn into a silently skipped check.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export class MissingImageTool extends Error {
  override readonly name = 'MissingImageTool';
}

const WHERE: Readonly<Record<string, string>> = {
  moto_server: 'moto 5.2 with its server extra (pip install "moto[server]==5.2.*")',
  'cfn-lint': 'cfn-lint 1.x (pip install "cfn-lint>=1.51,<2")',
};

/** The tool's path on PATH, or a MissingImageTool naming it. */
export function requireImageTool(tool: 'moto_server' | 'cfn-lint'): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const path = join(dir, tool);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not in this directory.
    }
  }
  throw new MissingImageTool(
    `${tool} is not on PATH. The tests need it as an AWS implementation nobody on this project wrote; ` +
      `it comes with the machine image (Python), not from npm: install ${WHERE[tool]} and run the tests again.`,
  );
}
