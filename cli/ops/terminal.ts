/** Where the operations commands write, and how they ask a person: one place for every command. */
import { createInterface } from 'node:readline/promises';

export interface OpsIo {
  out(text: string): void;
  err(text: string): void;
}

export const PROCESS_IO: OpsIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Whether a person can be asked at all: without a terminal a destructive command needs --yes. */
export const interactive = (): boolean => process.stdin.isTTY === true;

/** Asks on the terminal (the question on stderr, so stdout stays for output) and returns the answer. */
export async function askOnTerminal(question: string): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}

/** The answers that mean yes to a `[y/N]` question. */
export const saidYes = (answer: string): boolean => /^y(es)?$/i.test(answer.trim());
