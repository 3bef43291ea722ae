// What the trigger runtime announces about its triggers, for whoever follows them: the subscription manager
// re-subscribes a trigger that became ready, forgets one that exited and releases one that is going away. The runtime
// only announces and the manager only asks for connections; server.ts connects the two, so neither holds the other.

export type TriggerChange =
  /** A fresh process holds no subscriptions. */
  | { kind: "ready"; name: string }
  | { kind: "exited"; name: string }
  /** Uninstalled, disabled, or named by pipelines while not installed or disabled: `why` says which. */
  | { kind: "leaving"; name: string; why: string };

export type TriggerChangeListener = (change: TriggerChange) => Promise<void> | void;

export class TriggerChanges {
  private readonly listeners = new Set<TriggerChangeListener>();

  /** Listens until signal aborts. */
  listen(listener: TriggerChangeListener, signal: AbortSignal): void {
    if (signal.aborted) return;
    this.listeners.add(listener);
    signal.addEventListener("abort", () => this.listeners.delete(listener), { once: true });
  }

  /**
   * Tells every listener, in the order they listened, each once the one before is done (a listener may act before
   * the change goes on, e.g. unsubscribe before the trigger stops). Rejects with the first failure, after all were told.
   */
  async tell(change: TriggerChange): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (const listener of [...this.listeners]) {
      try {
        await listener(change);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
