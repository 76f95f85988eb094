/**
 * The shape of a principal ARN a certificate secret's policy may name (principal-arn.ts says
 * why). Apart from the zod schema, so that the functions that build the policy at run time
 * (Finalize, and every function that loads the store) do not bundle zod for one regex.
 */
export const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|(role|user)\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64})$/;
