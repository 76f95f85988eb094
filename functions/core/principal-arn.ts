/**
 * The principals a certificate secret's resource policy may name as readers: a role or user
 * (with its path, if any) or an account root. Not a session, not a wildcard: a resource
 * policy's Principal and `aws:PrincipalArn` take neither. Shared by certstep.config.json's
 * `readers` and each certificate's own `readers`, so both say the same thing about a bad one.
 */
import * as z from 'zod/mini';
import { PRINCIPAL_ARN } from './principal-arn-pattern.js';

export { PRINCIPAL_ARN };
const PRINCIPAL_EXAMPLE = 'arn:aws:iam::123456789012:role/web-task';

export const readerArn = z
  .string({
    error: ({ input }) => (input === undefined ? 'required' : `must be an IAM principal ARN such as ${PRINCIPAL_EXAMPLE} (got ${JSON.stringify(input)})`),
  })
  .check(
    z.superRefine((arn, ctx) => {
      if (PRINCIPAL_ARN.test(arn)) return;
      const got = JSON.stringify(arn);
      if (/^arn:aws[a-z-]*:sts::/.test(arn))
        ctx.addIssue(`must be the ARN of the IAM role, not of one of its sessions (got ${got}): arn:aws:iam::<account>:role/<name>`);
      else if (arn.includes('*') || arn.includes('?'))
        ctx.addIssue(
          `must name one principal: a resource policy's Principal takes no wildcards (got ${got}); name the account root arn:aws:iam::<account>:root to let that account's IAM decide`,
        );
      else
        ctx.addIssue(
          `must be an IAM principal ARN: a role (${PRINCIPAL_EXAMPLE}), a user (arn:aws:iam::123456789012:user/name) or an account root (arn:aws:iam::123456789012:root) (got ${got})`,
        );
    }),
  )
  // For editors, through the JSON Schema: the shape, without the messages.
  .register(z.globalRegistry, { pattern: PRINCIPAL_ARN.source });

export const readerList = z.array(readerArn, { error: 'must be an array of IAM principal ARNs' });

/** The 12-digit account of an ARN, a principal's or any service's (the state machine's names the stack's); undefined for anything else. */
export function accountOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn)?.[1];
}
