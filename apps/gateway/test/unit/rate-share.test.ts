import { sharesFrom } from '../../src/http/rate-share.js';

describe('tenant rate limit split between gateways', () => {
  it('gives each instance the part of the limit its own traffic is of the reported total', () => {
    const shares = sharesFrom(
      new Map([
        ['a', 30],
        ['b', 10],
        ['c', 0],
        ['d', 5],
      ]),
      new Map([
        ['a', 120],
        ['b', 10],
        ['c', 40],
        ['d', 2],
      ]),
    );
    // 'a': a quarter of all traffic; 'b': only here; 'c': none here (no split); 'd': totals lag behind.
    expect(Object.fromEntries(shares)).toEqual({ a: 0.25, b: 1, d: 1 });
  });
});
