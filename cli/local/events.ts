/**
 * The local stand-in for the state machine's `arn:aws:states:::events:putEvents` Tasks: each
 * entry becomes one JSON line in `<store>/events.jsonl`, shaped as EventBridge delivers it to
 * a rule's target (source, detail-type, detail, time), so a script written against one reads
 * the other.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

export const PUT_EVENTS_RESOURCE = 'arn:aws:states:::events:putEvents';

export interface PutEventsEntry {
  readonly Source?: unknown;
  readonly DetailType?: unknown;
  readonly Detail?: unknown;
}

/** What the events file holds, one per line. */
export interface LocalEvent {
  readonly id: string;
  readonly time: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: unknown;
}

export function eventsPath(storeDir: string): string {
  return path.join(storeDir, 'events.jsonl');
}

export function appendingPutEvents(storeDir: string, clock: () => Date): (input: unknown) => Promise<unknown> {
  return async (input) => {
    const entries = ((input as { Entries?: unknown } | null)?.Entries ?? []) as readonly PutEventsEntry[];
    const events: LocalEvent[] = entries.map((entry) => ({
      id: randomUUID(),
      time: clock().toISOString(),
      source: String(entry.Source),
      'detail-type': String(entry.DetailType),
      // EventBridge takes Detail as a JSON string; Step Functions may hand it either way.
      detail: typeof entry.Detail === 'string' ? (JSON.parse(entry.Detail) as unknown) : entry.Detail,
    }));
    // A run whose input was rejected never named a certificate: the store stays as it was (a
    // rejected input writes nothing), and on AWS its event still goes to the stack-wide subscribers.
    const kept = events.filter((event) => typeof (event.detail as { certificateName?: unknown } | null)?.certificateName === 'string');
    if (kept.length === 0) return { Entries: events.map((event) => ({ EventId: event.id })), FailedEntryCount: 0 };
    await mkdir(storeDir, { recursive: true });
    // One append per call: O_APPEND keeps the lines of runs that end together whole.
    await appendFile(eventsPath(storeDir), kept.map((event) => `${JSON.stringify(event)}\n`).join(''));
    return { Entries: events.map((event) => ({ EventId: event.id })), FailedEntryCount: 0 };
  };
}
