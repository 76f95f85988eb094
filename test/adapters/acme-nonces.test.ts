/** The pool of Replay-Nonces from earlier answers (adapters/acme-nonces.ts). */
import { describe, expect, it } from 'vitest';
import { forgetNonces, keepNonce, takeNonce } from '../../functions/adapters/acme-nonces.js';

const CA = 'https://ca.nonces.test';

describe('nonce pool', () => {
  it('hands out each kept nonce once, freshest first, per origin', () => {
    keepNonce({ url: `${CA}/order/1`, method: 'POST', status: 200, nonce: 'n1' }, 1_000);
    keepNonce({ url: `${CA}/order/2`, method: 'POST', status: 200, nonce: 'n2' }, 2_000);

    expect(takeNonce(`${CA}/finalize/1`, 3_000)).toBe('n2');
    expect(takeNonce('https://other.nonces.test/x', 3_000)).toBeUndefined();
    expect(takeNonce(`${CA}/finalize/1`, 3_000)).toBe('n1');
    expect(takeNonce(`${CA}/finalize/1`, 3_000)).toBeUndefined();
  });

  it('keeps neither newNonce HEAD answers nor badNonce problems, which acme-client uses itself', () => {
    keepNonce({ url: `${CA}/nonce`, method: 'HEAD', status: 200, nonce: 'head' }, 1_000);
    keepNonce({ url: `${CA}/order/1`, method: 'POST', status: 400, nonce: 'bad', problemType: 'urn:ietf:params:acme:error:badNonce' }, 1_000);

    expect(takeNonce(`${CA}/order/1`, 1_000)).toBeUndefined();
  });

  it('drops nonces past their age, and all of them when a cold container is played', () => {
    keepNonce({ url: `${CA}/order/1`, method: 'POST', status: 200, nonce: 'old' }, 0);
    expect(takeNonce(`${CA}/order/1`, 60_000)).toBeUndefined();

    keepNonce({ url: `${CA}/order/1`, method: 'POST', status: 200, nonce: 'kept' }, 1_000);
    forgetNonces();
    expect(takeNonce(`${CA}/order/1`, 1_000)).toBeUndefined();
  });
});
