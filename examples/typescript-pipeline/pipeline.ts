// A pipeline program: `gofer pipeline create examples/typescript-pipeline` runs this file (package.json "main")
// and reads the PipelineConfig it prints on stdout. Run it yourself on a terminal to see the config as JSON.
//
// Outside this repository, depend on the SDK and import it by name:
//   import { customTask, pipeline, trigger } from "@gofer/pipeline-sdk";
import { customTask, pipeline, trigger } from "../../packages/pipeline-sdk/src/index.js";

pipeline("ts_hello", "Hello from TypeScript")
  .description("Builds, then tests and reports in parallel; written with the TypeScript pipeline SDK.")
  .tasks(
    customTask("build", "alpine:3")
      .description("Pretends to build")
      .variable("TARGET", "release")
      .command("sh", "-c", 'echo "building $TARGET for run $GOFER_RUN_ID"'),
    customTask("test", "alpine:3").dependsOn("build").command("echo", "all tests pass"),
    customTask("report", "alpine:3")
      .description("Runs whatever happened to build")
      .dependsOn("build", "ANY")
      .command("echo", "report sent"),
  )
  .triggers(trigger("interval", "hourly").setting("every", "1h"))
  .finish();
