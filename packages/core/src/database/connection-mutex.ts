/**
 * Exclusive use of one resource (SQLite's single connection), handed out in arrival order. Taking a
 * free resource returns the same already-resolved promise every time, so the common uncontended case
 * allocates nothing; giving it back is synchronous and passes it straight to the next waiter.
 */
export class ConnectionMutex<T> {
  readonly #resolved: Promise<T>;
  readonly #resource: T;
  readonly #waiters: Array<(resource: T) => void> = [];
  #held = false;

  /** @param resource - what the holder of the mutex gets. */
  constructor(resource: T) {
    this.#resource = resource;
    this.#resolved = Promise.resolve(resource);
  }

  /** Whether someone holds the resource. */
  get held(): boolean {
    return this.#held;
  }

  /**
   * Takes the resource, waiting for the holders before.
   *
   * @returns the resource once it is this caller's; give it back with {@link release}.
   */
  acquire(): Promise<T> {
    if (!this.#held) {
      this.#held = true;
      return this.#resolved;
    }
    return new Promise<T>((resolve) => this.#waiters.push(resolve));
  }

  /** Gives the resource back: to the longest waiter when there is one (it stays held), else free. */
  release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#held = false;
    else next(this.#resource);
  }
}
