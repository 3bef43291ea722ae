import { expect, test } from "vitest";
import { ExtensionServiceService, GoferService, TriggerServiceService } from "../src/index.js";

// Spec §1.3: all 65 methods of proto.Gofer, grouped as there.
const goferMethods = [
  ...["GetSystemInfo", "RepairOrphan", "ToggleEventIngress"],
  ...["CreateToken", "BootstrapToken", "ListTokens", "GetToken", "EnableToken", "DisableToken", "DeleteToken"],
  ...["ListNamespaces", "CreateNamespace", "GetNamespace", "UpdateNamespace", "DeleteNamespace"],
  ...[
    "GetPipeline",
    "ListPipelines",
    "EnablePipeline",
    "DisablePipeline",
    "CreatePipeline",
    "UpdatePipeline",
    "DeletePipeline",
  ],
  ...["GetRun", "ListRuns", "StartRun", "RetryRun", "CancelRun", "CancelAllRuns"],
  ...["GetTaskRun", "ListTaskRuns", "CancelTaskRun", "GetTaskRunLogs", "DeleteTaskRunLogs"],
  ...[
    "GetTrigger",
    "ListTriggers",
    "GetTriggerInstallInstructions",
    "InstallTrigger",
    "UninstallTrigger",
    "EnableTrigger",
    "DisableTrigger",
  ],
  ...[
    "GetCommonTask",
    "ListCommonTasks",
    "GetCommonTaskInstallInstructions",
    "InstallCommonTask",
    "UninstallCommonTask",
    "EnableCommonTask",
    "DisableCommonTask",
  ],
  ...[
    "ListPipelineObjects",
    "GetPipelineObject",
    "PutPipelineObject",
    "DeletePipelineObject",
    "ListRunObjects",
    "GetRunObject",
    "PutRunObject",
    "DeleteRunObject",
  ],
  ...[
    "GetPipelineSecret",
    "ListPipelineSecrets",
    "PutPipelineSecret",
    "DeletePipelineSecret",
    "GetGlobalSecret",
    "ListGlobalSecrets",
    "PutGlobalSecret",
    "DeleteGlobalSecret",
  ],
  ...["GetEvent", "ListEvents"],
];

type Definition = Record<string, { path: string; requestStream: boolean; responseStream: boolean }>;

function paths(service: Definition): string[] {
  return Object.values(service)
    .map((m) => m.path)
    .sort();
}

function streaming(service: Definition): string[] {
  return Object.values(service)
    .filter((m) => m.requestStream || m.responseStream)
    .map((m) => `${m.path} ${m.requestStream ? "client" : ""}${m.responseStream ? "server" : ""}`)
    .sort();
}

test("proto.Gofer has exactly the 65 method paths of the spec", () => {
  expect(goferMethods).toHaveLength(65);
  expect(paths(GoferService)).toEqual(goferMethods.map((m) => `/proto.Gofer/${m}`).sort());
});

test("only GetTaskRunLogs and ListEvents stream, from the server", () => {
  expect(streaming(GoferService)).toEqual(["/proto.Gofer/GetTaskRunLogs server", "/proto.Gofer/ListEvents server"]);
  expect(streaming(TriggerServiceService)).toEqual([]);
  expect(streaming(ExtensionServiceService)).toEqual([]);
});

test("proto.TriggerService paths, Watch unary", () => {
  expect(paths(TriggerServiceService)).toEqual(
    ["Watch", "Info", "Subscribe", "Unsubscribe", "Shutdown", "ExternalEvent"]
      .map((m) => `/proto.TriggerService/${m}`)
      .sort(),
  );
});

test("proto.ExtensionService paths: no Watch", () => {
  expect(paths(ExtensionServiceService)).toEqual(
    ["Info", "Subscribe", "Unsubscribe", "Shutdown", "ExternalEvent"].map((m) => `/proto.ExtensionService/${m}`).sort(),
  );
});
