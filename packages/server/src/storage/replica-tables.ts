// Tables that let several servers share one database (migrations/2026-12-03-replica-leases.ts). Rows are read and
// written as they are: no JSON, no booleans.
import type { ColumnType, Selectable } from "kysely";

/** Who watches a trigger. `owner` is "" while released; `term` grows each time another owner takes it. */
export interface TriggerLeaseTable {
  trigger_name: ColumnType<string, string, never>;
  owner: string;
  term: number;
  /** When the current owner took it (epoch ms); kept through renewals. */
  acquired: number;
  expires: number;
}

export type TriggerLeaseRow = Selectable<TriggerLeaseTable>;

/** Which server is starting a pending run, until when. */
export interface RunClaimTable {
  namespace_id: ColumnType<string, string, never>;
  pipeline_id: ColumnType<string, string, never>;
  run_id: ColumnType<number, number, never>;
  owner: string;
  expires: number;
}
