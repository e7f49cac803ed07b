import { describe, expect, it } from "vitest";
import { ConnectionMutex } from "../src/database/connection-mutex.js";

describe("ConnectionMutex", () => {
  it("hands a free resource out at once, always as the same promise", async () => {
    const mutex = new ConnectionMutex("conn");
    const first = mutex.acquire();
    expect(await first).toBe("conn");
    mutex.release();
    expect(mutex.acquire()).toBe(first);
    mutex.release();
    expect(mutex.held).toBe(false);
  });

  it("passes the resource to waiters in arrival order and frees it after the last", async () => {
    const mutex = new ConnectionMutex("conn");
    const order: number[] = [];
    await mutex.acquire();
    const waiters = [1, 2, 3].map((n) =>
      mutex.acquire().then(() => {
        order.push(n);
        mutex.release();
      }),
    );
    expect(order).toEqual([]);
    mutex.release();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    expect(mutex.held).toBe(false);
  });
});
