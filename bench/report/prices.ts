/**
 * Prices and modelling assumptions, shared by section 2 and the figures derived from it. The
 * opening paragraph of section 2 (report/cost.ts) and the notes under its tables state them in
 * words: a change here needs the same change there.
 */

/**
 * us-east-1 list prices as the project brief gives them for this bench (dated with the bench
 * run; this machine has no network, so they were not re-read from aws.amazon.com). DynamoDB
 * and CloudWatch figures are this bench's own assumptions and are marked as such.
 */
export const PRICES = {
  region: 'us-east-1',
  stepFunctionsPerTransition: 0.025 / 1000,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1_000_000,
  secretPerMonth: 0.4,
  secretsManagerPerCall: 0.05 / 10_000,
  schedulerPerInvocation: 1 / 1_000_000,
  route53PerCall: 0,
  /** Assumption (on-demand, after the November 2024 price cut): $0.625 per million writes, $0.125 per million reads. */
  dynamoPerWrite: 0.625 / 1_000_000,
  dynamoPerRead: 0.125 / 1_000_000,
} as const;

/** Modelled AWS latencies added to the locally measured handler time (assumptions, stated in the document). */
export const AWS_MODEL = {
  acmeRequestMs: 100,
  awsApiCallMs: 20,
  /** Runtime start before the handler module is imported (Node.js 22 on arm64, assumption). */
  runtimeInitMs: 150,
  /** Used when the cold-start section did not run. */
  fallbackImportMs: 400,
  /** Ceiling: every invocation billed this long. */
  ceilingMs: 1500,
} as const;
