import { percentileByCounting } from "../../src/stats/percentile";

const counter = (values: number[]) => async (x: number) => values.filter((v) => v <= x).length;

describe("nearest-rank percentiles by counting", () => {
  it("matches the nearest-rank definition", async () => {
    const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(await percentileByCounting(values.length, 0.5, counter(values))).toBe(50);
    expect(await percentileByCounting(values.length, 0.95, counter(values))).toBe(100);
    expect(await percentileByCounting(values.length, 0.1, counter(values))).toBe(10);
  });

  it("handles one value, repeated values and none", async () => {
    expect(await percentileByCounting(1, 0.95, counter([7]))).toBe(7);
    expect(await percentileByCounting(4, 0.5, counter([3, 3, 3, 9]))).toBe(3);
    expect(await percentileByCounting(0, 0.5, counter([]))).toBeNull();
  });

  it("needs about log2(range) counts", async () => {
    let calls = 0;
    const values = Array.from({ length: 1000 }, (_, i) => i * 17);
    await percentileByCounting(values.length, 0.95, async (x) => (calls++, counter(values)(x)));
    expect(calls).toBeLessThanOrEqual(17);
  });
});
