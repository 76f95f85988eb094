/**
 * X-Ray subsegments for every AWS SDK call, through Powertools Tracer: the stack turns active
 * tracing on (cdk/functions.ts), and without this a trace shows the Lambda but not which
 * Secrets Manager, DynamoDB or Route 53 call took the time. Outside Lambda (local runs, tests)
 * Powertools disables the tracer and hands every client back untouched.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

// Only the AWS SDK: instrumenting https as well would trace (and send an X-Amzn-Trace-Id
// header with) every request to the ACME CA.
const tracer = new Tracer({ serviceName: 'certstep', captureHTTPsRequests: false });

/** The client, its calls recorded as X-Ray subsegments when tracing is on. */
export function traced<Client>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}
