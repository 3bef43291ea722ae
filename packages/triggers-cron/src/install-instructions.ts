// What `gofer trigger install` shows for the cron trigger: the original's three messages and no query (spec §4),
// since the cron trigger has no install-time configuration.
import { instructions } from "@gofer/trigger-sdk";

export const CRON_INSTRUCTIONS = instructions()
  .message(
    ":: The cron trigger allows users to trigger their pipelines on the passage of time by setting particular timeframes.",
  )
  .message("")
  .message("There are no configuration options for the cron trigger.")
  .build();
