/**
 * When a certificate should be renewed. `notAfter - renewBefore` is what cert-manager users
 * expect, but a fixed window breaks on short lifetimes (30 days before the end of a 6-day
 * certificate is before it was issued), so when renewBefore is not shorter than half the
 * lifetime the renewal falls back to Let's Encrypt's advice: renew when a third of the
 * lifetime remains, or half for certificates that live under 10 days.
 */
import { jitteredEarlier } from './ari.js';

const DAY = 86_400_000;

export function computeRenewalTime(notBefore: Date, notAfter: Date, renewBeforeMs: number): Date {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  if (renewBeforeMs < lifetime / 2) return new Date(notAfter.getTime() - renewBeforeMs);
  const remainingShare = lifetime < 10 * DAY ? 1 / 2 : 1 / 3;
  return new Date(notAfter.getTime() - Math.round(lifetime * remainingShare));
}

/**
 * The renewal time certstep plans for a certificate without ARI: computeRenewalTime, made a
 * little earlier per certificate (seeded by its serial, so every check agrees).
 */
export function plannedRenewalTime(notBefore: Date, notAfter: Date, renewBeforeMs: number, serialNumber: string): Date {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  return jitteredEarlier(computeRenewalTime(notBefore, notAfter, renewBeforeMs), lifetime, serialNumber);
}
