// In dev mode a fresh server gets a demo pipeline on the interval trigger, so a newcomer sees runs appear within
// seconds of `gofer service start --dev`. Created only when the default namespace has no pipeline at all.
import type { Logger } from "winston";
import { errorMessage } from "../errors.js";
import { validatePipelineConfig } from "./pipeline-config.js";
import type { PipelineService } from "./pipeline-service.js";

export const DEMO_PIPELINE_ID = "demo";

export async function ensureDemoPipeline(pipelines: PipelineService, logger: Logger): Promise<void> {
  if ((await pipelines.list("default", 0, 1)).length > 0) return;
  const definition = validatePipelineConfig({
    id: DEMO_PIPELINE_ID,
    name: "Demo",
    description: "Created by `gofer service start --dev`: runs every 5 seconds and prints a greeting.",
    parallelism: 0,
    tasks: [
      {
        kind: "custom",
        task: {
          id: "hello",
          description: "Prints where it runs",
          image: "gofer-task-test:latest",
          dependsOn: {},
          variables: { GREETING: "Hello from Gofer" },
          entrypoint: [],
          command: ["sh", "-c", 'echo "$GREETING: run $GOFER_RUN_ID of $GOFER_PIPELINE_ID, task $GOFER_TASK_ID"'],
        },
      },
    ],
    triggers: [{ name: "interval", label: "every_5s", settings: { EVERY: "5s" } }],
  });
  try {
    await pipelines.create("default", definition);
    logger.info("demo pipeline created: it runs every 5 seconds", { pipeline: `default/${DEMO_PIPELINE_ID}` });
  } catch (error) {
    logger.warn("could not create the demo pipeline", { error: errorMessage(error) });
  }
}
