/**
 * The words of `certstep …`, read by commander: subcommands, per-command `--help`, "did you mean"
 * suggestions. commander only reads; it never prints an error or exits. Its errors come back
 * here and leave as one UsageError each, worded as certstep has always worded them, so main.ts
 * prints each error once and exits 2. Parsing runs no command: it returns what to run.
 */
import { Argument, Command, CommanderError, Option } from 'commander';
import { type RunArguments, type RunOptions, UsageError, runArgumentsFrom } from './arguments.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import type { ApplyArguments } from './ops/apply.js';
import {
  type AccountAction,
  type AccountArguments,
  type AdminOptions,
  type ApplyOptions,
  type ExportArguments,
  type OpsArguments,
  type OpsCommand,
  type OpsOptions,
  type RemoveArguments,
  type RevokeArguments,
  adminTargetFrom,
  applyArgumentsFrom,
  checkName,
  exportArgumentsFrom,
  opsArgumentsFrom,
  removeArgumentsFrom,
  revocationReason,
} from './ops/arguments.js';

export type Invocation =
  | { readonly kind: 'local run' | 'local demo'; readonly args: RunArguments }
  | { readonly kind: 'ops'; readonly command: OpsCommand; readonly args: OpsArguments }
  | { readonly kind: 'export'; readonly args: ExportArguments }
  | { readonly kind: 'remove'; readonly args: RemoveArguments }
  | { readonly kind: 'apply'; readonly args: ApplyArguments }
  | { readonly kind: 'revoke'; readonly args: RevokeArguments }
  | { readonly kind: 'account'; readonly args: AccountArguments }
  | { readonly kind: 'diagram'; readonly update?: string }
  /** Help was asked for (0) or a command was given without its subcommand (2); the text is out. */
  | { readonly kind: 'exit'; readonly code: number };

export interface ParseContext {
  readonly env?: NodeJS.ProcessEnv;
  /** Where help goes; stdout by default. Help shown for a usage error goes to `err`. */
  readonly out?: (text: string) => void;
  readonly err?: (text: string) => void;
}

export function parseCommandLine(argv: readonly string[], context: ParseContext = {}): Invocation {
  let invocation: Invocation | undefined;
  const program = buildProgram(context, (found) => {
    invocation = found;
  });
  const command = commandAt(program, argv);
  try {
    refuseSwallowedFlags(command, argv);
    program.parse(argv as string[], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code)) return { kind: 'exit', code: error.exitCode === 0 ? 0 : 2 };
      throw withCommand(new UsageError(reworded(error, command)), command);
    }
    if (error instanceof UsageError) throw withCommand(error, command);
    throw error;
  }
  if (!invocation) throw withCommand(new UsageError('nothing to do'), command);
  return invocation;
}

/** `local run`'s checked arguments; `--demo` first reads them as `local demo` does. */
export function parseRunArguments(argv: readonly string[]): RunArguments {
  const demo = argv[0] === '--demo';
  const invocation = parseCommandLine(['local', demo ? 'demo' : 'run', ...argv.slice(demo ? 1 : 0)]);
  if (invocation.kind !== 'local run' && invocation.kind !== 'local demo') throw new UsageError('not a local run');
  return invocation.args;
}

const STORE = ['--store <dir>', 'the local store directory (default: .certstep)'] as const;
const JSON_OUTPUT = ['--json', 'print JSON for machines instead of text'] as const;
const CATALOG_TABLE = [
  '--catalog-table <name>',
  'with --aws: the certificate catalog DynamoDB table (CERTSTEP_CATALOG_TABLE, stack output CatalogTableName): certificates not issued yet are known too',
] as const;
const DRY_RUN_HELP =
  "a dry run: order a test certificate from the issuer's staging directory (else from the issuer itself), verify it and discard it; the stored certificate, schedule, ACM copies and events are left alone";

function buildProgram(context: ParseContext, found: (invocation: Invocation) => void): Command {
  const env = context.env ?? process.env;
  const program = new Command('certstep')
    .description("cert-manager's ACME certificate lifecycle as AWS Step Functions and Lambda, runnable locally")
    .exitOverride()
    .configureOutput({
      writeOut: context.out ?? ((text) => process.stdout.write(text)),
      writeErr: context.err ?? ((text) => process.stderr.write(text)),
      outputError: () => undefined,
    })
    .showSuggestionAfterError()
    .addHelpText('afterAll', `\n${EXIT_CODES_HELP}`);

  const local = program.command('local').description('run the state machine on this machine, against a private Pebble or a CA you name');
  withRunOptions(
    local
      .command('run')
      .description('run statemachine/renewal.asl.json once for one certificate input, as a scheduled execution would')
      .argument('<input>', 'the execution input: a JSON file {"certificate": {...}, "force": false}'),
  )
    .option('--history <file>', 'write the execution history (events, no key material) to this JSON file')
    .option('--dry-run', DRY_RUN_HELP)
    .action((input: string, options: RunOptions) => found({ kind: 'local run', args: runArgumentsFrom(input, options) }));
  withRunOptions(local.command('demo').description('issue examples/web.json from a private Pebble, then renew it at its renewal time (what `npm start` runs)'))
    .addOption(new Option('--history <file>').hideHelp())
    .action((options: RunOptions) => found({ kind: 'local demo', args: runArgumentsFrom(undefined, options) }));

  const ops = (name: OpsCommand, description: string, withName: boolean) => {
    const command = program.command(name).description(description);
    if (withName) command.argument('<name>', 'the certificate name (certificate.name in its input)');
    return command.action((...args: unknown[]) => {
      const options = args[withName ? 1 : 0] as OpsOptions;
      found({ kind: 'ops', command: name, args: opsArgumentsFrom(name, withName ? (args[0] as string) : undefined, options, env) });
    });
  };
  withAwsOptions(ops('status', 'list every certificate: expiry, what a scheduled run would do now, failures, the next run', false).option(...STORE))
    .option(...CATALOG_TABLE)
    .option(...JSON_OUTPUT);
  withAwsOptions(
    ops('describe', 'one certificate in depth: spec, stored versions, ledger, schedule, recent executions, the last order and its TXT records', true)
      .option(...STORE)
      .option('--dns-server <host:port>', "ask this DNS server (a challtestsrv's) whether the last run's TXT records are still served"),
  )
    .option(...CATALOG_TABLE)
    .option(...JSON_OUTPUT);
  withAwsOptions(
    ops('renew', 'force a run now, whatever the renewal time and the failure hold-off say', true)
      .option(...STORE)
      .option('--acme-directory <url>', 'a local forced run orders from this ACME directory instead of a private Pebble')
      .option('--acme-ca <file>', 'PEM bundle that signs the --acme-directory server (when it is not publicly trusted)')
      .option('--challtestsrv <url>', "the management URL of the challtestsrv that answers the CA's DNS queries")
      .option('--dry-run', DRY_RUN_HELP)
      .option('--wait', 'with --aws: wait for the execution to end, say how it ended and exit as a local renew does'),
  )
    .option(...CATALOG_TABLE)
    .addHelpText(
      'after',
      "\nWith --dry-run (certbot's renew --dry-run): exit 0 when the test certificate was issued and verified, 1 when the dry run failed or could not run.\n" +
        'With --aws it starts the execution (with "dryRun": true for --dry-run), prints its ARN and exits 0; `certstep describe <name> --aws` shows how it ended.\n' +
        "With --aws --wait it asks every 5 s until the execution ends (within the state machine's hour) and exits 0, 1, 2 or 3 as a local renew does.",
    );

  withAwsOptions(
    program
      .command('export')
      .description("write the current certificate as certbot's files: cert.pem, chain.pem, fullchain.pem and privkey.pem (0600)")
      .argument('<name>', 'the certificate name')
      .option('--out <dir>', 'the directory to write the files to (created if missing); required')
      .option(
        '--deploy-hook <command>',
        'run this with `sh -c` when a file changed, with CERTSTEP_CERTIFICATE_NAME, CERTSTEP_OUT_DIR, RENEWED_LINEAGE (= the directory) and RENEWED_DOMAINS set; its failure makes export exit 1',
      )
      .option(...STORE),
  )
    .addHelpText(
      'after',
      '\nFiles change only when their content does (written to a temporary name, then renamed); nothing changed: exit 0 and no hook.\nAn unknown certificate exits 2, one not issued yet 1.',
    )
    .action((name: string, options: OpsOptions) => found({ kind: 'export', args: exportArgumentsFrom(name, options, env) }));

  withAwsOptions(
    program
      .command('remove')
      .description('delete everything a certificate left: locally its files in the store; on AWS its schedule, secret, ledger item (and ACM copies)')
      .argument('<name>', 'the certificate name')
      .option('--yes', 'do not ask; without it remove asks on a terminal and refuses (exit 2) when stdin is not one')
      .option(...STORE)
      .option('--include-acm', 'with --aws: also delete the ACM copies the ledger names (a load balancer may still use them)')
      .option('--recovery-window-days <days>', 'with --aws: days Secrets Manager keeps the secret recoverable, 7 to 30 (default 7)')
      .option('--catalog-table <name>', 'with --aws: also delete its item from the certificate catalog (CERTSTEP_CATALOG_TABLE)'),
  )
    .addHelpText(
      'after',
      '\nOn AWS, take the certificate out of certstep.config.json and deploy first: otherwise the next deploy and the daily sweep bring it back.\nRemoving what is already gone says so and exits 0; --aws needs --ledger-table and --schedule-group (or their variables).',
    )
    .action((name: string, options: OpsOptions) => found({ kind: 'remove', args: removeArgumentsFrom(name, options, env) }));

  program
    .command('apply')
    .description('add or change certificates in the AWS deployment without a deploy; each new or changed one gets a run')
    .argument('<file>', 'a JSON file: {"certificates": [...]} as in certstep.config.json, a list of certificates, or one certificate')
    .option('--aws', "required: apply writes the deployment's certificate catalog")
    .optionsGroup('AWS options (with --aws; each defaults to its environment variable):')
    .option('--config <file>', 'the stack configuration the file is validated against (default certstep.config.json)')
    .option('--catalog-table <name>', 'the certificate catalog DynamoDB table, stack output CatalogTableName (CERTSTEP_CATALOG_TABLE)')
    .option('--state-machine-arn <arn>', 'the renewal state machine (CERTSTEP_STATE_MACHINE_ARN)')
    .optionsGroup('Options:')
    .option(...JSON_OUTPUT)
    .addHelpText(
      'after',
      '\nValidated as a deploy validates certstep.config.json; nothing is written unless every certificate is valid. Certificates that\ncertstep.config.json names are refused (edit it and deploy), as are hosted zones the stack does not name yet.\nEach certificate: created, changed or unchanged; new and changed ones start a run (at most CERTSTEP_MAX_STARTS, default 300;\nthe daily sweep starts the rest). Exit 0 applied, 2 invalid file or usage, 1 AWS failure.',
    )
    .action((file: string, options: ApplyOptions) => found({ kind: 'apply', args: applyArgumentsFrom(file, options, env) }));

  withAdminOptions(
    program
      .command('revoke')
      .description('revoke the current certificate at the CA that issued it (RFC 8555 §7.6), signed by the account that ordered it')
      .argument('<name>', 'the certificate name')
      .option('--reason <reason>', 'unspecified (default), keyCompromise, affiliationChanged, superseded or cessationOfOperation (certbot spellings too)')
      .option('--yes', 'do not ask; without it revoke asks on a terminal and refuses (exit 2) when stdin is not one'),
  )
    .addHelpText('after', '\nThe stored certificate is left as it is: `certstep renew <name>` replaces it.')
    .action((name: string, options: AdminOptions) => {
      checkName(name);
      found({ kind: 'revoke', args: { name, reason: revocationReason(options.reason), yes: options.yes === true, target: adminTargetFrom(options, env) } });
    });

  withAdminOptions(
    program
      .command('account')
      .description("an issuer's ACME account: show it as the CA holds it, roll its key over (RFC 8555 §7.3.5), or replace its contact e-mails")
      .addArgument(new Argument('<action>', 'what to do').choices(['show', 'rollover', 'update-contact']))
      .argument('<issuer>', 'the issuer name (locally: local)')
      .option('--email <address...>', 'with update-contact: the contact e-mail address(es) (repeat or list)')
      .option(...JSON_OUTPUT),
  ).action((action: AccountAction, issuer: string, options: AdminOptions) => {
    const emails = options.email ?? [];
    if (action === 'update-contact' && emails.length === 0) throw new UsageError('account update-contact needs --email ADDRESS (one or more)');
    if (action !== 'update-contact' && emails.length > 0) throw new UsageError('--email is for account update-contact');
    found({ kind: 'account', args: { action, issuer, emails, json: options.json === true, target: adminTargetFrom(options, env) } });
  });

  program
    .command('diagram')
    .description('print the Mermaid diagram of the state machine, or redraw it in a Markdown file')
    .option('--update <file>', 'replace the diagram between the markers in this file (README.md)')
    .action((options: { update?: string }) => found({ kind: 'diagram', ...(options.update !== undefined && { update: options.update }) }));
  return program;
}

function withRunOptions(command: Command): Command {
  return command
    .option(...STORE)
    .option('--now <iso-8601>', 'make the run believe it is this time, e.g. 2030-01-31T12:00:00Z (time moves on from there)')
    .option('--acme-directory <url>', 'order from this ACME directory instead of starting a private Pebble (needs --challtestsrv)')
    .option('--acme-ca <file>', 'PEM bundle that signs the --acme-directory server (when it is not publicly trusted)')
    .option('--challtestsrv <url>', "the management URL of the challtestsrv that answers the CA's DNS queries")
    .option('--dns-server <host:port>', 'where that challtestsrv answers DNS, for every lookup the run makes');
}

/** Where revoke and account find the CA and the account: a CA named locally, or the deployment. */
function withAdminOptions(command: Command): Command {
  return command
    .option(...STORE)
    .option('--acme-directory <url>', 'locally: the ACME directory of the CA (required; a private Pebble forgets everything when it stops)')
    .option('--acme-ca <file>', 'PEM bundle that signs the --acme-directory server (when it is not publicly trusted)')
    .option('--aws', 'use the deployment: issuers from the configuration file, account and certificates from Secrets Manager')
    .optionsGroup('AWS options (with --aws):')
    .option('--config <file>', 'the stack configuration the issuers come from (default certstep.config.json)')
    .option('--secret-prefix <prefix>', "the certificate secrets' name prefix (CERTSTEP_CERTIFICATE_SECRET_PREFIX, default certstep/certificates/)")
    .option('--account-secret-prefix <prefix>', "the account secrets' name prefix (CERTSTEP_ACCOUNT_SECRET_PREFIX, default certstep/accounts/)")
    .optionsGroup('Options:');
}

function withAwsOptions(command: Command): Command {
  return command
    .option('--aws', 'read the AWS deployment (default credential chain and region) instead of the local store')
    .optionsGroup('AWS options (with --aws; each defaults to its environment variable):')
    .option('--state-machine-arn <arn>', 'the renewal state machine (CERTSTEP_STATE_MACHINE_ARN)')
    .option('--ledger-table <name>', 'the run ledger DynamoDB table (CERTSTEP_LEDGER_TABLE)')
    .option('--secret-prefix <prefix>', "the certificate secrets' name prefix (CERTSTEP_CERTIFICATE_SECRET_PREFIX, default certstep/certificates/)")
    .option('--schedule-group <name>', 'the EventBridge Scheduler group (CERTSTEP_SCHEDULE_GROUP)')
    .optionsGroup('Options:');
}

/** The command the words name, as far as they name one: `local run x.json` → local run. */
function commandAt(program: Command, argv: readonly string[]): Command {
  let command = program;
  for (const word of argv) {
    const sub = command.commands.find((candidate) => candidate.name() === word);
    if (!sub) break;
    command = sub;
  }
  return command;
}

/**
 * commander takes the next word as a value even when it is a flag (`--store --now x` sets the
 * store to "--now"); such a slip is refused as a missing value, as is an empty value.
 */
function refuseSwallowedFlags(command: Command, argv: readonly string[]): void {
  const valueFlags = new Set(command.options.filter((option) => option.required && option.long).map((option) => option.long as string));
  argv.forEach((word, index) => {
    const equals = word.indexOf('=');
    const flag = equals === -1 ? word : word.slice(0, equals);
    if (!valueFlags.has(flag)) return;
    const value = equals === -1 ? argv[index + 1] : word.slice(equals + 1);
    if (value === '' || (equals === -1 && value?.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
  });
}

function reworded(error: CommanderError, command: Command): string {
  const path = pathOf(command);
  const suggestion = /\(Did you mean (.+)\?\)/.exec(error.message)?.[1];
  const didYouMean = suggestion ? `; did you mean ${suggestion}?` : '';
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  const names = command.registeredArguments.map((argument) => argument.name());
  const oneArgument = names.includes('input')
    ? 'expected exactly one input file'
    : names.includes('file')
      ? `${path} needs exactly one file`
      : `${path} needs exactly one certificate name`;
  switch (error.code) {
    case 'commander.unknownOption':
      return `unknown option ${quoted.split('=')[0]}${path ? ` for ${path}` : ''}${didYouMean}`;
    case 'commander.unknownCommand':
      return `unknown command ${path ? `${path} ` : ''}${quoted}${didYouMean}`;
    case 'commander.optionMissingArgument':
      return `${quoted.split(/[ ,]/)[0]} needs a value`;
    case 'commander.missingArgument':
      return oneArgument;
    case 'commander.excessArguments':
      return names.length === 0 ? `unexpected argument ${command.args[0]}` : oneArgument;
    default:
      return error.message.replace(/^error: /, '');
  }
}

function pathOf(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

function withCommand(error: UsageError, command: Command): UsageError {
  error.command ??= pathOf(command);
  return error;
}
