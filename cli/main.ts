/**
 * The `certstep` command.
 *   certstep local run <input.json> [--store DIR] [--now ISO-8601] [--history FILE]
 *                      [--acme-directory URL --acme-ca FILE --challtestsrv URL]
 *   certstep local demo [--store DIR]
 *   certstep status | renew <name> | describe <name>   (operations; see docs/operations.md)
 * Exit codes: 0 the run succeeded (issued or up to date), 1 it failed, 2 invalid input or usage.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { renderMermaid, withDiagram } from './diagram.js';
import { localDefinition } from './local/definition.js';
import { runDemo } from './local/demo.js';
import { runFromFile } from './local/run-command.js';
import { UsageError, parseRunArguments } from './arguments.js';
import { OPS_COMMANDS, type OpsCommand, runOpsCommand } from './ops/commands.js';

const USAGE = `usage:
  certstep local run <input.json> [--store DIR] [--now ISO-8601] [--history FILE]
                     [--acme-directory URL [--acme-ca FILE] --challtestsrv URL [--dns-server HOST:PORT]]
  certstep local demo [--store DIR]
  certstep status [--store DIR] [--json]
  certstep renew <name> [--store DIR] [--acme-directory URL [--acme-ca FILE] --challtestsrv URL]
  certstep describe <name> [--store DIR] [--dns-server HOST:PORT] [--json]
  certstep status|renew <name>|describe <name> --aws [--state-machine-arn ARN] [--ledger-table NAME]
                     [--secret-prefix PREFIX] [--schedule-group NAME] [--json (not renew)]
  certstep diagram [--update README.md]`;

async function main(argv: string[]): Promise<number> {
  const [scope, command, ...rest] = argv;
  if (scope === 'local' && command === 'run') return runFromFile(parseRunArguments(rest));
  if ((OPS_COMMANDS as readonly string[]).includes(scope ?? '')) return runOpsCommand(scope as OpsCommand, argv.slice(1));
  if (scope === 'diagram') return diagram(command === '--update' ? rest[0] : undefined);
  if (scope === 'local' && command === 'demo') return runDemo(parseRunArguments(['--demo', ...rest]));
  if (scope === undefined || scope === '--help' || scope === '-h' || scope === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return scope === undefined ? 2 : 0;
  }
  throw new UsageError(`unknown command: ${argv.join(' ')}`);
}

async function diagram(update: string | undefined): Promise<number> {
  const mermaid = renderMermaid(localDefinition());
  if (!update) {
    process.stdout.write(`${mermaid}\n`);
    return 0;
  }
  await writeFile(update, withDiagram(await readFile(update, 'utf8'), mermaid));
  return 0;
}

// Whatever escapes, the user gets one line, never a stack trace.
const fatal = (error: unknown) => {
  process.stderr.write(`certstep: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`certstep: ${error.message}\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`certstep: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
