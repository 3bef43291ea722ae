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
// Every problem is reported with file:line:column and the field path; all of them at once.

import { closestName } from "@gofer/kernel/closest-name";
import {
  type CommonTaskConfig,
  CustomTaskConfig_RequiredParentStatus,
  PipelineConfig,
  type PipelineTaskConfig,
  type PipelineTriggerConfig,
} from "@gofer/proto";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { usageError } from "../exit-codes.js";

const IDENTIFIER = /^[A-Za-z0-9_-]{1,70}$/;
const IDENTIFIER_RULE = 'must be 1-70 letters, digits, "_" or "-"';
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

/** Node-by-node reading with positions; problems are collected, not thrown one by one. */
class Reader {
  readonly problems: string[] = [];

  constructor(
    private readonly fileName: string,
    private readonly lines: LineCounter,
  ) {}

  problem(node: Node | null | undefined, path: string, message: string): void {
    const offset = node?.range?.[0];
    const pos =
      offset === undefined
        ? this.fileName
        : `${this.fileName}:${this.lines.linePos(offset).line}:${this.lines.linePos(offset).col}`;
    this.problems.push(`${pos}: ${path ? `${path}: ` : ""}${message}`);
  }

  /** The entries of a mapping, after checking its keys against `allowed`. */
  map(node: Node | null | undefined, path: string, allowed: readonly string[]): Map<string, Node | null> {
    const entries = new Map<string, Node | null>();
    if (!isMap(node)) {
      this.problem(node, path, `must be a mapping of ${allowed.join(", ")}`);
      return entries;
    }
    for (const pair of node.items) {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : "";
      if (!allowed.includes(key)) {
        const near = closestName(key, allowed);
        this.problem(
          keyNode,
          path,
          `unknown field "${key}"${near ? `; did you mean "${near}"?` : `; known fields: ${allowed.join(", ")}`}`,
        );
        continue;
      }
      entries.set(key, (pair.value as Node | null) ?? null);
    }
    return entries;
  }

  string(node: Node | null | undefined, path: string): string | undefined {
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return undefined;
    if (!isScalar(node) || typeof node.value !== "string") {
      this.problem(node, path, "must be a string");
      return undefined;
    }
    return node.value;
  }

  requiredString(node: Node | null | undefined, path: string, parent: Node | null | undefined): string {
    const value = this.string(node, path);
    if (value === undefined || value.trim() === "") {
      if (node === undefined || node === null || value !== undefined) this.problem(node ?? parent, path, "is required");
      return "";
    }
    return value;
  }

  /** A mapping of scalars; numbers and booleans become their text (PORT: 8080 → "8080"). */
  stringMap(node: Node | null | undefined, path: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (node === undefined || node === null) return out;
    if (!isMap(node)) {
      this.problem(node, path, "must be a mapping of names to values");
      return out;
    }
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      const value = pair.value as Node | null;
      if (!isScalar(value) || value.value === null || typeof value.value === "object") {
        this.problem(value ?? (pair.key as Node), `${path}.${key}`, "must be a string, number or boolean");
        continue;
      }
      out[key] = String(value.value);
    }
    return out;
  }

  stringList(node: Node | null | undefined, path: string, example: string): string[] {
    if (node === undefined || node === null) return [];
    if (!isSeq(node)) {
      this.problem(node, path, `must be a list of strings, e.g. ${example}`);
      return [];
    }
    return node.items.map((item, i) => {
      if (isScalar(item) && (typeof item.value === "string" || typeof item.value === "number"))
        return String(item.value);
      this.problem(item as Node, `${path}[${i}]`, "must be a string");
      return "";
    });
  }
}

export function parsePipelineYaml(text: string, fileName: string): PipelineConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw usageError(`${fileName}: not valid YAML: ${doc.errors.map((e) => e.message).join("\n")}`);
  }
  const r = new Reader(fileName, lines);
  const root = doc.contents as Node | null;
  const top = r.map(root, "", PIPELINE_KEYS);
  const id = r.requiredString(top.get("id"), "id", root);
  if (id && !IDENTIFIER.test(id)) r.problem(top.get("id"), "id", `${JSON.stringify(id)} ${IDENTIFIER_RULE}`);
  const name = r.string(top.get("name"), "name") ?? id;
  const description = r.string(top.get("description"), "description") ?? "";
  let parallelism = 0n;
  const parallelismNode = top.get("parallelism");
  if (parallelismNode) {
    const value = isScalar(parallelismNode) ? parallelismNode.value : undefined;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      r.problem(parallelismNode, "parallelism", "must be a whole number, 0 or more (0 = the server's limit)");
    } else parallelism = BigInt(value);
  }

  const tasks: PipelineTaskConfig[] = [];
  const tasksNode = top.get("tasks");
  const taskIds: Array<{ id: string; node: Node | null | undefined }> = [];
  const dependencies: Array<{ task: string; parent: string; node: Node | null | undefined; path: string }> = [];
  if (!isSeq(tasksNode) || tasksNode.items.length === 0) {
    r.problem(tasksNode ?? root, "tasks", "must list at least one task");
  } else {
    tasksNode.items.forEach((item, index) => {
      const path = `tasks[${index}]`;
      const fields = r.map(item as Node, path, TASK_KEYS);
      if (!isMap(item)) return;
      const taskId = r.requiredString(fields.get("id"), `${path}.id`, item as Node);
      if (taskId && !IDENTIFIER.test(taskId))
        r.problem(fields.get("id"), `${path}.id`, `${JSON.stringify(taskId)} ${IDENTIFIER_RULE}`);
      if (taskId && taskIds.some((t) => t.id === taskId))
        r.problem(fields.get("id"), `${path}.id`, `duplicate task id ${JSON.stringify(taskId)}`);
      taskIds.push({ id: taskId, node: fields.get("id") });
      const commonTaskName = fields.get("common_task")
        ? r.requiredString(fields.get("common_task"), `${path}.common_task`, item as Node)
        : undefined;
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
      const image =
        commonTaskName === undefined ? r.requiredString(fields.get("image"), `${path}.image`, item as Node) : "";
      const dependsOn: Record<string, CustomTaskConfig_RequiredParentStatus> = {};
      for (const [parent, status] of Object.entries(r.stringMap(fields.get("depends_on"), `${path}.depends_on`))) {
        const value = PARENT_STATUS[status.toUpperCase()];
        if (value === undefined) {
          r.problem(
            fields.get("depends_on"),
            `${path}.depends_on.${parent}`,
            `${JSON.stringify(status)} is not ANY, SUCCESS or FAILURE`,
          );
          continue;
        }
        dependsOn[parent] = value;
        dependencies.push({ task: taskId, parent, node: fields.get("depends_on"), path: `${path}.depends_on` });
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
      if (commonTaskName !== undefined) {
        const settings: Record<string, string> = {};
        for (const [key, value] of Object.entries(r.stringMap(fields.get("settings"), `${path}.settings`))) {
          const upper = key.toUpperCase();
          settings[upper.startsWith(PARAM_PREFIX) ? upper : PARAM_PREFIX + upper] = value;
        }
        tasks.push({
          task: {
            $case: "commonTask",
            value: {
              name: commonTaskName,
              label: taskId,
              description: r.string(fields.get("description"), `${path}.description`) ?? "",
              // The enums of CustomTaskConfig and CommonTaskConfig share their numbers.
              dependsOn: dependsOn as unknown as CommonTaskConfig["dependsOn"],
              settings,
            },
          },
        });
        return;
      }
      tasks.push({
        task: {
          $case: "customTask",
          value: {
            id: taskId,
            description: r.string(fields.get("description"), `${path}.description`) ?? "",
            image,
            registryAuth,
            dependsOn,
            variables: r.stringMap(fields.get("variables"), `${path}.variables`),
            entrypoint: r.stringList(fields.get("entrypoint"), `${path}.entrypoint`, '["/bin/sh", "-c"]'),
            command: r.stringList(fields.get("command"), `${path}.command`, '["echo", "hello"]'),
          },
        },
      });
    });
  }
  for (const d of dependencies) {
    if (d.parent === d.task) r.problem(d.node, `${d.path}.${d.parent}`, "a task cannot depend on itself");
    else if (!taskIds.some((t) => t.id === d.parent)) {
      r.problem(d.node, `${d.path}.${d.parent}`, `no task has the id ${JSON.stringify(d.parent)}`);
    }
  }

  const triggers: PipelineTriggerConfig[] = [];
  const triggersNode = top.get("triggers");
  if (triggersNode && !(isScalar(triggersNode) && triggersNode.value === null)) {
    if (!isSeq(triggersNode)) r.problem(triggersNode, "triggers", "must be a list of {name, label, settings}");
    else {
      triggersNode.items.forEach((item, index) => {
        const path = `triggers[${index}]`;
        const fields = r.map(item as Node, path, TRIGGER_KEYS);
        if (!isMap(item)) return;
        const triggerName = r.requiredString(fields.get("name"), `${path}.name`, item as Node);
        const label = r.requiredString(fields.get("label"), `${path}.label`, item as Node);
        if (label && !IDENTIFIER.test(label))
          r.problem(fields.get("label"), `${path}.label`, `${JSON.stringify(label)} ${IDENTIFIER_RULE}`);
        if (label && triggers.some((t) => t.label === label))
          r.problem(fields.get("label"), `${path}.label`, `duplicate trigger label ${JSON.stringify(label)}`);
        const settings: Record<string, string> = {};
        for (const [key, value] of Object.entries(r.stringMap(fields.get("settings"), `${path}.settings`))) {
          const upper = key.toUpperCase();
          settings[upper.startsWith(PARAM_PREFIX) ? upper : PARAM_PREFIX + upper] = value;
        }
        triggers.push({ name: triggerName, label, settings });
      });
    }
  }

  if (r.problems.length > 0) {
    throw usageError(
      `${fileName} is not a valid pipeline:\n${r.problems.map((p) => `  ${p}`).join("\n")}`,
      "the fields are those of PipelineConfig; see examples/yaml-pipeline/pipeline.yaml",
    );
  }
  return PipelineConfig.fromPartial({ id, name, description, parallelism, tasks, triggers });
}
