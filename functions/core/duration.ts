/**
 * renewBefore's durations: ISO 8601 in fixed-length units only. Apart from the certificate
 * schema so that the phases that only compute renewal times do not bundle zod.
 */
import { show } from './validation.js';

const DAY_MS = 24 * 60 * 60 * 1000;

// Calendar units are missing on purpose: a year or a month has no fixed length.
export const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const DURATION_UNIT_MS = [7 * DAY_MS, DAY_MS, 60 * 60 * 1000, 60 * 1000, 1000] as const;

type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

export function parseDuration(iso: string): DurationResult {
  const match = DURATION.exec(iso);
  if (!match || iso.endsWith('T') || iso === 'P') {
    const datePart = iso.split('T')[0] ?? '';
    if (/^P.*[YM]/.test(datePart)) {
      return {
        ok: false,
        reason: `years (Y) and months (M) are not accepted because their length varies; use weeks (W) or days (D) (got ${show(iso)})`,
      };
    }
    return {
      ok: false,
      reason: `must be an ISO 8601 duration in whole weeks, days, hours, minutes or seconds, such as P30D or PT12H (got ${show(iso)})`,
    };
  }
  let ms = 0;
  DURATION_UNIT_MS.forEach((unitMs, i) => {
    ms += Number(match[i + 1] ?? 0) * unitMs;
  });
  if (!Number.isSafeInteger(ms)) return { ok: false, reason: `is too long (got ${show(iso)})` };
  if (ms <= 0) return { ok: false, reason: `must be longer than zero (got ${show(iso)})` };
  return { ok: true, ms };
}

/**
 * Length in milliseconds of an ISO 8601 duration made of W, D, H, M (minutes) and S in
 * whole numbers; undefined when the text is anything else, uses Y or M (months), or is
 * not longer than zero.
 */
export function durationToMilliseconds(iso: string): number | undefined {
  const result = parseDuration(iso);
  return result.ok ? result.ms : undefined;
}
