// Rows the storage-level tests seed the database with.
import type { PipelineRow } from "../src/storage/schema.js";

/** An ACTIVE pipeline row with no parallelism limit and no errors; `overrides` change any column. */
export function pipelineRow(namespaceId: string, id: string, overrides: Partial<PipelineRow> = {}): PipelineRow {
  return {
    namespace_id: namespaceId,
    id,
    name: id,
    description: "",
    parallelism: 0,
    state: "ACTIVE",
    created: 1,
    modified: 1,
    errors: [],
    ...overrides,
  };
}
