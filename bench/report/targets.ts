/** The project's targets: each section adds its verdicts, and the summary table lists them first. */

export interface Target {
  readonly name: string;
  readonly measured: string;
  readonly met: boolean | undefined;
  /** Added to the verdict, e.g. when the result sits within noise of the threshold. */
  readonly note?: string;
}

export function renderTargets(targets: readonly Target[]): string[] {
  return [
    '## Targets',
    '',
    '| target | measured | verdict |',
    '| --- | --- | --- |',
    ...targets.map(
      (target) =>
        `| ${target.name} | ${target.measured} | ${target.met === undefined ? 'not measured' : target.met ? '**met**' : '**missed**'}${target.note ? ` (${target.note})` : ''} |`,
    ),
    '',
    'Details, and why each missed target is missed, are in the sections below and in [What limits the numbers](#what-limits-the-numbers).',
    '',
  ];
}
