/**
 * The Lambda Invoke and EventBridge PutEvents endpoints that moto's Step Functions interpreter
 * calls for the Tasks of an execution. moto_server sends those calls to localhost:$MOTO_PORT
 * (itself, unless MOTO_PORT says otherwise); its Lambda without Docker can only succeed, so
 * this server stands in for both services and answers each execution from its own script of
 * Task outcomes, in order: a result, or an error thrown as a Node.js Lambda throws it.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type TaskOutcome =
  | { readonly result: unknown }
  | { readonly error: { readonly name: string; readonly message: string } }
  /** The function answers only after the Task's TimeoutSeconds: the interpreter gives up first (States.Timeout). */
  | { readonly timeout: true };

/** How long a `timeout` outcome keeps the caller waiting: past a 1 s TimeoutSeconds, by a margin a busy machine needs. */
export const TIMEOUT_ANSWER_MS = 3000;

/** What Lambda answers, with X-Amz-Function-Error, when a Node.js handler throws. */
export function lambdaErrorPayload(error: { readonly name: string; readonly message: string }) {
  return { errorType: error.name, errorMessage: error.message, trace: [] as string[] };
}

export interface TaskCall {
  /** The function name of a Lambda Task, or `events:putEvents`. */
  readonly target: string;
  readonly input: unknown;
}

export interface TaskEndpoints {
  readonly port: number;
  /** The outcomes of one execution's Tasks, in the order they are called. */
  script(executionArn: string, outcomes: readonly TaskOutcome[]): void;
  /** What the execution's Tasks were called with, in order, and what went wrong serving them. */
  calls(executionArn: string): readonly TaskCall[];
  problems(): readonly string[];
  stop(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startTaskEndpoints(): Promise<TaskEndpoints> {
  const scripts = new Map<string, TaskOutcome[]>();
  const calls = new Map<string, TaskCall[]>();
  const problems: string[] = [];

  const next = (executionArn: string, call: TaskCall): TaskOutcome | undefined => {
    calls.set(executionArn, [...(calls.get(executionArn) ?? []), call]);
    const outcome = scripts.get(executionArn)?.shift();
    if (!outcome) problems.push(`${executionArn}: no outcome left for ${call.target}`);
    return outcome;
  };

  const serve = (request: IncomingMessage, body: string, response: ServerResponse) => {
    const invoke = INVOKE_PATH.exec(request.url ?? '');
    if (request.method === 'POST' && invoke) {
      const input = JSON.parse(body || 'null') as { taskContext?: { executionArn?: string } } | null;
      const outcome = next(input?.taskContext?.executionArn ?? 'unknown', {
        target: decodeURIComponent(invoke[1] as string)
          .split(':')
          .at(-1) as string,
        input,
      });
      if (!outcome) return reply(response, 500, { message: 'no scripted outcome' });
      if ('timeout' in outcome) {
        setTimeout(() => reply(response, 200, {}), TIMEOUT_ANSWER_MS);
        return;
      }
      // A Node.js handler that throws: Lambda answers 200 with X-Amz-Function-Error and this payload.
      if ('error' in outcome) return reply(response, 200, lambdaErrorPayload(outcome.error), { 'X-Amz-Function-Error': 'Unhandled' });
      return reply(response, 200, outcome.result);
    }
    if (request.method === 'POST' && request.headers['x-amz-target'] === 'AWSEvents.PutEvents') {
      const input = JSON.parse(body) as { Entries?: { Resources?: string[] }[] };
      // Step Functions adds the state machine's and the execution's ARNs to each entry's Resources.
      const executionArn = input.Entries?.[0]?.Resources?.at(-1) ?? 'unknown';
      const outcome = next(executionArn, { target: 'events:putEvents', input });
      if (!outcome) return reply(response, 500, { message: 'no scripted outcome' });
      const entries = input.Entries ?? [];
      if ('timeout' in outcome) {
        problems.push(`${executionArn}: a timeout was scripted for events:putEvents, which Step Functions does not time out`);
        return reply(response, 500, { message: 'no timeout for putEvents' });
      }
      if ('error' in outcome) {
        // The documented way a putEvents Task fails without an API error: EventBridge.FailedEntry.
        return reply(response, 200, {
          FailedEntryCount: entries.length,
          Entries: entries.map(() => ({ ErrorCode: outcome.error.name, ErrorMessage: outcome.error.message })),
        });
      }
      return reply(response, 200, { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) });
    }
    problems.push(`unexpected ${request.method} ${request.url} (${String(request.headers['x-amz-target'] ?? '')})`);
    return reply(response, 501, { message: 'not served here' });
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        serve(request, Buffer.concat(chunks).toString('utf8'), response);
      } catch (error) {
        problems.push(`${request.url}: ${(error as Error).message}`);
        reply(response, 500, { message: (error as Error).message });
      }
    });
  });
  // moto's clients call "localhost", which may resolve to ::1 first; listen on both.
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    script: (executionArn, outcomes) => {
      scripts.set(executionArn, [...outcomes]);
      calls.set(executionArn, []);
    },
    calls: (executionArn) => calls.get(executionArn) ?? [],
    problems: () => problems,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
