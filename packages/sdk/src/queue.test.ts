import { describe, expect, it } from "vitest";
import { createQueue } from "./queue.js";

const ev = (seq: number, size = 10) => ({ seq, size, event: {} as never });

describe("queue", () => {
  it("is FIFO and takes batches bounded by count and size", () => {
    const q = createQueue(100, 10_000);
    for (let i = 1; i <= 10; i++) q.push(ev(i));
    expect(q.take(3, 1000).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(q.take(100, 25).map((e) => e.seq)).toEqual([4, 5]);
    expect(q.firstSeq()).toBe(6);
    expect(q.length).toBe(5);
    expect(q.chars).toBe(50);
  });

  it("always takes at least one event, even over the size", () => {
    const q = createQueue(100, 10_000);
    q.push(ev(1, 500));
    expect(q.take(10, 100)).toHaveLength(1);
  });

  it("drops the oldest past its bounds and says how many", () => {
    const q = createQueue(3, 35);
    expect(q.push(ev(1))).toBe(0);
    q.push(ev(2));
    q.push(ev(3));
    expect(q.push(ev(4))).toBe(1);
    expect(q.firstSeq()).toBe(2);
    expect(q.push(ev(5, 30))).toBe(3);
    expect(q.length).toBe(1);
  });

  it("puts a batch back at the front", () => {
    const q = createQueue(100, 10_000);
    for (let i = 1; i <= 5; i++) q.push(ev(i));
    const batch = q.take(2, 1000);
    q.push(ev(6));
    q.putBack(batch);
    expect(q.take(100, 10_000).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("stays correct over many pushes and takes (compaction)", () => {
    const q = createQueue(1_000_000, 1e9);
    let next = 1;
    let expected = 1;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) q.push(ev(next++));
      for (const e of q.take(250, 1e9)) expect(e.seq).toBe(expected++);
    }
    expect(q.length).toBe(50 * 50);
  });
});
