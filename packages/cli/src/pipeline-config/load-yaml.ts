// A pipeline written as YAML (or JSON, which the same parser reads) → proto.PipelineConfig. The schema uses the
// PipelineConfig field names (spec §1.5):
//
//   id: hello                      # required; 1-70 letters, digits, "_" or "-"
//   name: Hello                    # default: the id
//   description: Says hello
//   parallelism: 0                 # runs at once; 0 = the server's limit
//   tasks:                         # at least one
//     - id: greet                  # required, unique
//       image: alpine:3            # required
//       description: …
//       depends_on: {other: SUCCESS}   # ANY, SUCCESS or FAILURE
//       variables: {GREETING: hi}
//       entrypoint: [/bin/sh, -c]
//       command: ["echo $GREETING"]
//       registry_auth: {user: u, pass: p}
//     - id: show_env               # a common task: id is its label in this pipeline
//       common_task: debug         # the installed common task's name (no image)
//       settings: {greeting: hi}   # sent as GOFER_PLUGIN_PARAM_GREETING
//       depends_on: {greet: ANY}
//   triggers:
//     - name: interval             # an installed trigger
//       label: every_minute        # unique within the pipeline
//       settings: {every: 1m}      # sent as GOFER_PLUGIN_PARAM_EVERY, as the SDKs do
//
// Every problem is reported with file:line:column and the field path; all of them at once. The shape of the file is
// checked here (yaml-reader.ts); the rules every Gofer tool shares (ids, duplicates, dependencies, global secrets)
// are checkPipelineConfig's, placed in the file by their field paths.

import { type CheckableTask, checkPipelineConfig } from "@gofer/pipeline-sdk/check";
import {
  type CommonTaskConfig,
  CustomTaskConfig_RequiredParentStatus,
  PipelineConfig,
  type PipelineTaskConfig,
  type PipelineTriggerConfig,
} from "@gofer/proto";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { usageError } from "../exit-codes.js";
import { YamlReader } from "./yaml-reader.js";

const PARAM_PREFIX = "GOFER_PLUGIN_PARAM_";
const PIPELINE_KEYS = ["id", "name", "description", "parallelism", "tasks", "triggers"];
const TASK_KEYS = [
  "id",
  "description",
  "image",
  "depends_on",
  "variables",
  "entrypoint",
  "command",
  "registry_auth",
  "common_task",
  "settings",
];
const TRIGGER_KEYS = ["name", "label", "settings"];
const AUTH_KEYS = ["user", "pass"];
const PARENT_STATUS: Record<string, CustomTaskConfig_RequiredParentStatus> = {
  ANY: CustomTaskConfig_RequiredParentStatus.ANY,
  SUCCESS: CustomTaskConfig_RequiredParentStatus.SUCCESS,
  FAILURE: CustomTaskConfig_RequiredParentStatus.FAILURE,
};

export function parsePipelineYaml(text: string, fileName: string): PipelineConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw usageError(`${fileName}: not valid YAML: ${doc.errors.map((e) => e.message).join("\n")}`);
  }
  const r = new YamlReader(fileName, lines);
  /** The node each field path was read from, to place checkPipelineConfig's problems. */
  const nodes = new Map<string, Node | null | undefined>();
  /** checkPipelineConfig's path → the file's, where they differ. */
  const aliases = new Map<string, string>();
  const root = doc.contents as Node | null;
  nodes.set("", root);
  const top = r.map(root, "", PIPELINE_KEYS);
  nodes.set("id", top.get("id"));
  const id = r.requiredString(top.get("id"), "id", root);
  const name = r.string(top.get("name"), "name") ?? id;
  const description = r.string(top.get("description"), "description") ?? "";
  let parallelism = 0;
  const parallelismNode = top.get("parallelism");
  nodes.set("parallelism", parallelismNode);
  if (parallelismNode) {
    const value = isScalar(parallelismNode) ? parallelismNode.value : undefined;
    if (typeof value !== "number" || !Number.isInteger(value)) {
      r.problem(parallelismNode, "parallelism", "must be a whole number, 0 or more (0 = the server's limit)");
    } else parallelism = value;
  }

  const tasks: PipelineTaskConfig[] = [];
  const checkableTasks: CheckableTask[] = [];
  const tasksNode = top.get("tasks");
  nodes.set("tasks", tasksNode);
  if (!isSeq(tasksNode) || tasksNode.items.length === 0) {
    r.problem(tasksNode ?? root, "tasks", "must list at least one task");
  } else {
    tasksNode.items.forEach((item, index) => {
      const path = `tasks[${index}]`;
      nodes.set(path, item as Node);
      const fields = r.map(item as Node, path, TASK_KEYS);
      if (!isMap(item)) return;
      const taskId = r.requiredString(fields.get("id"), `${path}.id`, item as Node);
      const commonTaskName = fields.get("common_task")
        ? r.requiredString(fields.get("common_task"), `${path}.common_task`, item as Node)
        : undefined;
      nodes.set(`${path}.id`, fields.get("id"));
      nodes.set(`${path}.common_task`, fields.get("common_task"));
      // A common task's id is its label, and common_task its name (proto.CommonTaskConfig).
      aliases.set(`${path}.label`, `${path}.id`);
      aliases.set(`${path}.name`, `${path}.common_task`);
      if (commonTaskName !== undefined) {
        for (const key of ["image", "variables", "entrypoint", "command", "registry_auth"]) {
          if (fields.get(key)) r.problem(fields.get(key), `${path}.${key}`, "a common task takes settings, not " + key);
        }
      } else if (fields.get("settings")) {
        r.problem(
          fields.get("settings"),
          `${path}.settings`,
          "only a common task (common_task: <name>) takes settings; use variables",
        );
      }
      nodes.set(`${path}.image`, fields.get("image"));
      const image = commonTaskName === undefined ? (r.string(fields.get("image"), `${path}.image`) ?? "") : "";
      const statuses: Record<string, string> = {};
      const dependsOn: Record<string, CustomTaskConfig_RequiredParentStatus> = {};
      for (const [parent, status] of Object.entries(r.stringMap(fields.get("depends_on"), `${path}.depends_on`))) {
        nodes.set(`${path}.depends_on.${parent}`, fields.get("depends_on"));
        const value = PARENT_STATUS[status.toUpperCase()];
        statuses[parent] = value === undefined ? status : status.toUpperCase();
        if (value !== undefined) dependsOn[parent] = value;
      }
      let registryAuth: { user: string; pass: string } | undefined;
      const authNode = fields.get("registry_auth");
      if (authNode) {
        const auth = r.map(authNode, `${path}.registry_auth`, AUTH_KEYS);
        registryAuth = {
          user: r.string(auth.get("user"), `${path}.registry_auth.user`) ?? "",
          pass: r.string(auth.get("pass"), `${path}.registry_auth.pass`) ?? "",
        };
      }
      const taskDescription = r.string(fields.get("description"), `${path}.description`) ?? "";
      if (commonTaskName !== undefined) {
        nodes.set(`${path}.settings`, fields.get("settings"));
        const settings = prefixedSettings(r.stringMap(fields.get("settings"), `${path}.settings`));
        checkableTasks.push({ kind: "common", name: commonTaskName, label: taskId, dependsOn: statuses, settings });
        tasks.push({
          task: {
            $case: "commonTask",
            value: {
              name: commonTaskName,
              label: taskId,
              description: taskDescription,
              // The enums of CustomTaskConfig and CommonTaskConfig share their numbers.
              dependsOn: dependsOn as unknown as CommonTaskConfig["dependsOn"],
              settings,
            },
          },
        });
        return;
      }
      nodes.set(`${path}.variables`, fields.get("variables"));
      const variables = r.stringMap(fields.get("variables"), `${path}.variables`);
      checkableTasks.push({ kind: "custom", id: taskId, image, dependsOn: statuses, variables });
      tasks.push({
        task: {
          $case: "customTask",
          value: {
            id: taskId,
            description: taskDescription,
            image,
            registryAuth,
            dependsOn,
            variables,
            entrypoint: r.stringList(fields.get("entrypoint"), `${path}.entrypoint`, '["/bin/sh", "-c"]'),
            command: r.stringList(fields.get("command"), `${path}.command`, '["echo", "hello"]'),
          },
        },
      });
    });
  }

  const triggers: PipelineTriggerConfig[] = [];
  const triggersNode = top.get("triggers");
  nodes.set("triggers", triggersNode);
  if (triggersNode && !(isScalar(triggersNode) && triggersNode.value === null)) {
    if (!isSeq(triggersNode)) r.problem(triggersNode, "triggers", "must be a list of {name, label, settings}");
    else {
      triggersNode.items.forEach((item, index) => {
        const path = `triggers[${index}]`;
        nodes.set(path, item as Node);
        const fields = r.map(item as Node, path, TRIGGER_KEYS);
        if (!isMap(item)) return;
        for (const key of TRIGGER_KEYS) nodes.set(`${path}.${key}`, fields.get(key));
        const triggerName = r.requiredString(fields.get("name"), `${path}.name`, item as Node);
        const label = r.requiredString(fields.get("label"), `${path}.label`, item as Node);
        const settings = prefixedSettings(r.stringMap(fields.get("settings"), `${path}.settings`));
        triggers.push({ name: triggerName, label, settings });
      });
    }
  }

  const checkable = { id, parallelism, tasks: checkableTasks, triggers };
  for (const problem of checkPipelineConfig(checkable)) {
    const path = aliases.get(problem.path) ?? problem.path;
    if (r.reportedPaths.has(path)) continue;
    const scope = /^(tasks|triggers)\[\d+\]/.exec(path)?.[0] ?? "";
    r.report(placeOf(nodes, path), scope, problem.message);
  }
  if (r.problems.length > 0) {
    throw usageError(
      `${fileName} is not a valid pipeline:\n${r
        .sorted()
        .map((p) => `  ${p}`)
        .join("\n")}`,
      "the fields are those of PipelineConfig; see examples/yaml-pipeline/pipeline.yaml",
    );
  }
  return PipelineConfig.fromPartial({ id, name, description, parallelism: BigInt(parallelism), tasks, triggers });
}

/** Setting keys as the SDKs send them: `every` → `GOFER_PLUGIN_PARAM_EVERY`. */
function prefixedSettings(settings: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings)) {
    const upper = key.toUpperCase();
    out[upper.startsWith(PARAM_PREFIX) ? upper : PARAM_PREFIX + upper] = value;
  }
  return out;
}

/** The node a field path was read from, or that of the nearest enclosing field that was (the file, at worst). */
function placeOf(nodes: ReadonlyMap<string, Node | null | undefined>, path: string): Node | null | undefined {
  for (let p = path; p !== ""; p = p.slice(0, Math.max(0, p.lastIndexOf("."), p.lastIndexOf("[")))) {
    const node = nodes.get(p);
    if (node) return node;
  }
  return nodes.get("");
}
