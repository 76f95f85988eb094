/**
 * What `certstep` exits with, for cron, systemd and CI. 3 is apart from 1 because a held-back run
 * tried nothing: the CA was not asked, so there is no new failure, only an old one still waited out.
 */
export const EXIT = { succeeded: 0, failed: 1, invalidInput: 2, heldBack: 3 } as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  issued, up to date or outputs repaired (other commands: done)
  1  the run failed (other commands: the operation failed)
  2  invalid input or usage
  3  held back after failures: the run was due, the failure hold-off stopped it; nothing was tried`;
