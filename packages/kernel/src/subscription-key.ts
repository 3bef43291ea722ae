// What names a subscription on the TriggerService wire (Subscribe/Unsubscribe, spec §1.2): the pipeline it belongs to
// and the label the pipeline gave it. The trigger SDK keys its registry by it; the server dials triggers with it.

export interface SubscriptionKey {
  namespaceId: string;
  pipelineId: string;
  label: string;
}

/** A string that identifies a key; NUL cannot appear in ids or labels, so it cannot collide. */
export function subscriptionKeyId(key: SubscriptionKey): string {
  return `${key.namespaceId}\u0000${key.pipelineId}\u0000${key.label}`;
}

export function formatSubscriptionKey(key: SubscriptionKey): string {
  return `${key.namespaceId}/${key.pipelineId} (label "${key.label}")`;
}
