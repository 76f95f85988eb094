/**
 * The `certstep` command: `certstep --help` lists the commands, `certstep <command> --help` each
 * command's options (cli/program.ts). Exit codes are in cli/exit-codes.ts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { UsageError } from './arguments.js';
import { renderMermaid, withDiagram } from './diagram.js';
import { EXIT } from './exit-codes.js';
import { localDefinition } from './local/definition.js';
import { runDemo } from './local/demo.js';
import { runFromFile } from './local/run-command.js';
import { runParsedOpsCommand } from './ops/commands.js';
import { runApply } from './ops/apply.js';
import { runExport } from './ops/export.js';
import { runRemove } from './ops/remove.js';
import { runAccount, runRevoke } from './ops/acme-admin.js';
import { type Invocation, parseCommandLine } from './program.js';

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    parseCommandLine(['--help'], { out: (text) => process.stderr.write(text) });
    return EXIT.invalidInput;
  }
  const invocation = parseCommandLine(argv);
  return run(invocation);
}

function run(invocation: Invocation): Promise<number> | number {
  switch (invocation.kind) {
    case 'exit':
      return invocation.code;
    case 'local run':
      return runFromFile(invocation.args);
    case 'local demo':
      return runDemo(invocation.args);
    case 'ops':
      return runParsedOpsCommand(invocation.command, invocation.args);
    case 'export':
      return runExport(invocation.args);
    case 'remove':
      return runRemove(invocation.args);
    case 'apply':
      return runApply(invocation.args);
    case 'revoke':
      return runRevoke(invocation.args);
    case 'account':
      return runAccount(invocation.args);
    case 'diagram':
      return diagram(invocation.update);
  }
}

async function diagram(update: string | undefined): Promise<number> {
  const mermaid = renderMermaid(localDefinition());
  if (!update) {
    process.stdout.write(`${mermaid}\n`);
    return EXIT.succeeded;
  }
  await writeFile(update, withDiagram(await readFile(update, 'utf8'), mermaid));
  return EXIT.succeeded;
}

// Whatever escapes, the user gets one line, never a stack trace.
const fatal = (error: unknown) => {
  process.stderr.write(`certstep: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(EXIT.failed);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      const help = `certstep ${error.command ? `${error.command} ` : ''}--help`;
      process.stderr.write(`certstep: ${error.message} (see '${help}')\n`);
      process.exitCode = EXIT.invalidInput;
      return;
    }
    process.stderr.write(`certstep: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.failed;
  },
);
