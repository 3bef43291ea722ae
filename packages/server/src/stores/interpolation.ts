// Interpolation of store references in variable values (spec §2.5, §9.3):
//
//   pipeline_secret{{k}}  the pipeline's secret k          any source
//   global_secret{{k}}    the global secret k              SYSTEM and TRIGGER sources only
//   pipeline_object{{k}}  the pipeline's object k (UTF-8)  any source
//   run_object{{k}}       the current run's object k       at task start only; elsewhere the text passes through
//
// As the original: the whole (trimmed) value must be one reference, the key is the trimmed text inside the braces,
// anything else passes through unchanged. Unlike the original, a miss names the key and where it was used (never a
// value), and a reference is resolved only against its own namespace and pipeline.
import { FailedPreconditionError } from "../errors.js";
import type { VariableRecord, VariableSource } from "../storage/schema.js";
import type { ObjectStore } from "./object-store.js";
import type { PipelineRef, SecretStore } from "./secret-store.js";

export type ReferenceKind = "pipeline_secret" | "global_secret" | "pipeline_object" | "run_object";

const KINDS: readonly ReferenceKind[] = ["pipeline_secret", "global_secret", "pipeline_object", "run_object"];

export interface StoreReference {
  readonly kind: ReferenceKind;
  readonly key: string;
}

/**
 * The reference a value is, or undefined for a plain value. Single braces (`pipeline_secret{k}`) are accepted too:
 * the v0.4.1 Rust SDK's helpers emit them (spec §9.7 S12), and the original never resolved them.
 */
export function parseReference(value: string): StoreReference | undefined {
  // Cheap test first: most values are plain, and task start resolves every variable.
  if (!value.includes("{")) return undefined;
  const trimmed = value.trim();
  if (!trimmed.endsWith("}")) return undefined;
  for (const kind of KINDS) {
    if (trimmed.startsWith(`${kind}{{`) && trimmed.endsWith("}}")) {
      return { kind, key: trimmed.slice(kind.length + 2, -2).trim() };
    }
    if (trimmed.startsWith(`${kind}{`) && !trimmed.startsWith(`${kind}{{`)) {
      const key = trimmed.slice(kind.length + 1, -1);
      if (!key.includes("{") && !key.includes("}")) return { kind, key: key.trim() };
    }
  }
  return undefined;
}

/** What a reference is resolved against: the pipeline, and the run at task start. */
export interface InterpolationScope extends PipelineRef {
  readonly runId?: number;
}

export class InterpolationError extends FailedPreconditionError {
  override name = "InterpolationError";
}

export class Interpolator {
  constructor(
    private readonly secrets: SecretStore,
    private readonly objects: ObjectStore,
  ) {}

  /**
   * @param where how the user named the place, e.g. `setting "TOKEN"` or `variable "DB_PASS"`.
   * @throws InterpolationError naming the reference and the place.
   */
  resolve(value: string, source: VariableSource, scope: InterpolationScope, where: string): string {
    const reference = parseReference(value);
    if (!reference) return value;
    const { kind, key } = reference;
    const named = `${kind}{{${key}}}`;
    const pipeline = `"${scope.namespaceId}/${scope.pipelineId}"`;
    let resolved: string | undefined;
    try {
      switch (kind) {
        case "pipeline_secret":
          resolved = this.secrets.pipelineSecretValue(scope, key);
          if (resolved === undefined) {
            throw new InterpolationError(`${where}: ${named}: pipeline ${pipeline} has no secret "${key}"`);
          }
          return resolved;
        case "global_secret":
          if (source !== "SYSTEM" && source !== "TRIGGER") {
            throw new InterpolationError(
              `${where}: ${named}: global secrets may only be used in server-side configuration (trigger and common task install config), not in pipeline configuration or run options`,
            );
          }
          resolved = this.secrets.globalSecretValue(key);
          if (resolved === undefined)
            throw new InterpolationError(`${where}: ${named}: there is no global secret "${key}"`);
          return resolved;
        case "pipeline_object": {
          const object = this.objects.pipelineObjectValue(scope, key);
          if (!object) throw new InterpolationError(`${where}: ${named}: pipeline ${pipeline} has no object "${key}"`);
          return object.toString("utf8");
        }
        case "run_object": {
          if (scope.runId === undefined) return value;
          const object = this.objects.runObjectValue({ ...scope, runId: scope.runId }, key);
          if (!object) {
            throw new InterpolationError(
              `${where}: ${named}: run ${scope.runId} of ${pipeline} has no object "${key}"`,
            );
          }
          return object.toString("utf8");
        }
        default:
          return kind satisfies never;
      }
    } catch (error) {
      if (error instanceof InterpolationError) throw error;
      // A decrypt failure: say which reference, never what was stored.
      throw new InterpolationError(`${where}: ${named}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** A task's environment with every reference resolved; the stored variables keep the references. */
  resolveVariables(variables: readonly VariableRecord[], scope: InterpolationScope): Record<string, string> {
    const env: Record<string, string> = {};
    for (const variable of variables) {
      env[variable.key] = this.resolve(variable.value, variable.source, scope, `variable "${variable.key}"`);
    }
    return env;
  }

  /** Trigger subscription settings (source PIPELINE_CONFIG). */
  resolveSettings(settings: Record<string, string>, scope: PipelineRef): Record<string, string> {
    const resolved: Record<string, string> = {};
    const pipeline = { namespaceId: scope.namespaceId, pipelineId: scope.pipelineId };
    for (const [key, value] of Object.entries(settings)) {
      resolved[key] = this.resolve(value, "PIPELINE_CONFIG", pipeline, `setting "${key}"`);
    }
    return resolved;
  }
}
