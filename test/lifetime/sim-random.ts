/**
 * The lifetime simulator's only sources of chance and time: a seeded PRNG (mulberry32, small
 * and good enough to pick faults) and a clock that moves only when the simulation says so.
 */

export interface Random {
  /** In [0, 1). */
  next(): number;
  chance(probability: number): boolean;
  /** An integer in [min, max]. */
  integer(min: number, max: number): number;
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    chance: (probability) => next() < probability,
    integer: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T,
  };
}

export class SimClock {
  constructor(private ms: number) {}

  now(): Date {
    return new Date(this.ms);
  }

  get time(): number {
    return this.ms;
  }

  /** Moves forward by `ms`; the clock never goes back. */
  advance(ms: number): void {
    if (ms > 0) this.ms += ms;
  }

  /** Moves forward to `time` if it lies ahead. */
  advanceTo(time: number): void {
    if (time > this.ms) this.ms = time;
  }
}
