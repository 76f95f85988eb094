/**
 * One JSON line per event, the shape CloudWatch Logs Insights queries well, written by
 * Powertools Logger so that every line also carries the Lambda context (function, request id,
 * cold start) and the X-Ray trace id. Callers pass names, URLs and ids only; nothing here ever
 * receives key or certificate material.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export type LogFields = Record<string, string | number | boolean | undefined>;

/** The one logger of a Lambda: runtime/handler.ts adds the execution, state and certificate to it per invocation. */
export const logger = new Logger({ serviceName: 'certstep' });

export function log(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: LogFields = {}): void {
  if (level === 'ERROR') logger.error(message, fields);
  else if (level === 'WARN') logger.warn(message, fields);
  else logger.info(message, fields);
}
