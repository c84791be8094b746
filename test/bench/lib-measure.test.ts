import { describe, expect, it } from 'vitest';
import { compare, ratio, row, stats } from '../../bench/lib-measure.js';

describe('bench/lib-measure', () => {
  it('takes the median, min and max of the rounds', () => {
    expect(stats([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, rounds: [5, 1, 3] });
    expect(stats([4, 1, 2, 10]).median).toBe(3);
    expect(() => stats([])).toThrow();
  });

  it('turns rates and durations into "times as fast as the reference"', () => {
    const fast = stats([200, 200, 200]);
    const slow = stats([100, 100, 100]);
    expect(ratio(fast, slow, 'higher')).toBe(2); // 200 MB/s vs 100 MB/s
    expect(ratio(fast, slow, 'lower')).toBe(0.5); // 200 ms vs 100 ms
  });

  it('alternates ours and the reference, at least 3 rounds each', async () => {
    const order: string[] = [];
    const r = await compare(
      async () => (order.push('ours'), order.length),
      async () => (order.push('ref'), 10),
      1,
    );
    expect(order).toEqual(['ours', 'ref', 'ours', 'ref', 'ours', 'ref']);
    expect(r.ours).toEqual({ median: 3, min: 1, max: 5, rounds: [1, 3, 5] });
    expect(r.reference?.median).toBe(10);
  });

  it('renders a table row with the ratio and whether the target was met', () => {
    const r = row({
      name: 'x',
      title: 'upload',
      unit: 'MB/s',
      better: 'higher',
      ours: stats([900, 1000, 950]),
      reference: { label: 'nginx + curl', stats: stats([1000, 1000, 1000]) },
      target: { text: '>= 0.9 x', met: true },
    });
    expect(r).toEqual({ figure: 'upload', ours: '950 MB/s (900-1,000)', reference: 'nginx + curl: 1,000 MB/s (1,000-1,000)', ratio: '0.95', target: '>= 0.9 x (met)' });
  });
});
