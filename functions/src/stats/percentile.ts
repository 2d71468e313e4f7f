/**
 * The nearest-rank percentile of n integer values, found by binary search with a counting function
 * (`how many values are <= x`), so that it can run on aggregation queries without reading documents.
 */
export async function percentileByCounting(
  n: number,
  p: number,
  countAtMost: (x: number) => Promise<number>,
  hi = 65_536,
): Promise<number | null> {
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(p * n));
  let lo = 0;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await countAtMost(mid)) >= rank) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
