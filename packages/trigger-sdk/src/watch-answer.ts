// The bytes of a Watch answer. One protobuf writer serves every answer: a fresh writer allocates a new buffer outside
// the JS heap for each message (a malloc and a free per Watch call), while a reused one keeps its buffer and only the
// finished message is copied out. The encoder is the generated one, so the bytes are exactly what it always wrote.
import { TriggerWatchResponse, TriggerWatchResponse_Result } from "@gofer/proto/transport";
import type { TriggerEvent } from "./trigger.js";

const RESULT_TO_PROTO: Record<TriggerEvent["result"], TriggerWatchResponse_Result> = {
  SUCCESS: TriggerWatchResponse_Result.SUCCESS,
  FAILURE: TriggerWatchResponse_Result.FAILURE,
  SKIPPED: TriggerWatchResponse_Result.SKIPPED,
};

/** A writer that has grown past this is dropped after its message, so one large event does not stay in memory. */
const KEEP_WRITER_BYTES = 64 * 1024;
/** Encoding nothing hands back a new writer without allocating its buffer yet. */
const newWriter = () => TriggerWatchResponse.encode(TriggerWatchResponse.fromPartial({}));

let writer = newWriter();

export function toWatchResponse(event: TriggerEvent): TriggerWatchResponse {
  return {
    details: event.details,
    namespaceId: event.key.namespaceId,
    pipelineId: event.key.pipelineId,
    pipelineTriggerLabel: event.key.label,
    result: RESULT_TO_PROTO[event.result],
    metadata: event.metadata,
  };
}

/** The encoded TriggerWatchResponse for one event. */
export function encodeWatchAnswer(event: TriggerEvent): Uint8Array {
  const bytes = TriggerWatchResponse.encode(toWatchResponse(event), writer).finish();
  if (bytes.length > KEEP_WRITER_BYTES) writer = newWriter();
  return bytes;
}
