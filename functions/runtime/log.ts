/**
 * One JSON line per event, the shape CloudWatch Logs Insights queries well. Callers pass
 * names, URLs and ids only; nothing here ever receives key or certificate material.
 */
export type LogFields = Record<string, string | number | boolean | undefined>;

export function log(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ level, message, timestamp: new Date().toISOString(), service: 'certstep', ...fields });
  (level === 'ERROR' ? process.stderr : process.stdout).write(`${line}\n`);
}
