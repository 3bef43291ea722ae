import { describe, expect, test } from "vitest";
import {
  CommonTaskConfig_RequiredParentStatus,
  CommonTaskRegistration_Status,
  CustomTask_RequiredParentStatus,
  CustomTaskConfig_RequiredParentStatus,
  Event,
  Initiator_Type,
  type MessageFns,
  Pipeline,
  Pipeline_ErrorKind,
  Pipeline_PipelineState,
  PipelineCommonTaskSettings_RequiredParentStatus,
  PipelineConfig,
  Run,
  Run_RunState,
  Run_RunStatus,
  RunStatusReason_RunStatusReasonKind,
  RunV05,
  StartRunRequest,
  StartRunResponseV05,
  TaskRun,
  TaskRun_TaskRunState,
  TaskRun_TaskRunStatus,
  TaskRunStatusReason_Reason,
  Token_Kind,
  Trigger,
  Trigger_TriggerState,
  Trigger_TriggerStatus,
  TriggerResult_Status,
} from "../src/index.js";
import { bytes, entry, hex, msg, num, str } from "./hand-wire.js";

function expectWire<T>(codec: MessageFns<T>, value: T, expected: Uint8Array): void {
  expect(hex(codec.encode(value).finish())).toBe(hex(expected));
  expect(codec.decode(expected)).toEqual(value);
}

const variable = { key: "K", value: "V", source: "SYSTEM" };
const variableBytes = [...str(1, "K"), ...str(2, "V"), ...str(3, "SYSTEM")];

describe("StartRunRequest in both shapes (spec §1.4, §5.3)", () => {
  const v04 = bytes(str(1, "ns"), str(2, "pl"), entry(3, "GREETING", str(2, "hello")));

  test("a v0.4 request has fields 1-3 and no initiator", () => {
    expectWire(
      StartRunRequest,
      { namespaceId: "ns", pipelineId: "pl", variables: { GREETING: "hello" }, initiator: undefined },
      v04,
    );
  });

  test("a v0.5 request is the v0.4 bytes followed by initiator at field 4", () => {
    const v05 = bytes([...v04], msg(4, num(1, 3), str(2, "interval (every)"), str(3, "time")));
    expect(hex(v05).startsWith(hex(v04))).toBe(true);
    expectWire(
      StartRunRequest,
      {
        namespaceId: "ns",
        pipelineId: "pl",
        variables: { GREETING: "hello" },
        initiator: { type: Initiator_Type.EXTENSION, name: "interval (every)", reason: "time" },
      },
      v05,
    );
  });

  test("Initiator.Type values: UNKNOWN 0, BOT 1, HUMAN 2, EXTENSION 3", () => {
    expect([Initiator_Type.UNKNOWN, Initiator_Type.BOT, Initiator_Type.HUMAN, Initiator_Type.EXTENSION]).toEqual([
      0, 1, 2, 3,
    ]);
  });
});

describe("Run layouts", () => {
  const reason = { reason: RunStatusReason_RunStatusReasonKind.ABNORMAL_EXIT, description: "exit 1" };
  const reasonBytes = [...num(1, 1), ...str(2, "exit 1")];

  test("v0.4 Run: id at 3, task_runs at 9, trigger at 10", () => {
    expectWire(
      Run,
      {
        namespace: "ns",
        pipeline: "pl",
        id: 4294967311n,
        started: 1667984400123n,
        ended: 1667984523456n,
        state: Run_RunState.COMPLETE,
        status: Run_RunStatus.FAILED,
        statusReason: reason,
        taskRuns: ["build", "deploy"],
        trigger: { name: "interval", label: "every" },
        variables: [variable],
        storeObjectsExpired: true,
      },
      bytes(
        str(1, "ns"),
        str(2, "pl"),
        num(3, 4294967311n),
        num(4, 1667984400123n),
        num(5, 1667984523456n),
        num(6, 3),
        num(7, 2),
        msg(8, reasonBytes),
        str(9, "build"),
        str(9, "deploy"),
        msg(10, str(1, "interval"), str(2, "every")),
        msg(11, variableBytes),
        num(12, true),
      ),
    );
  });

  test("v0.5 Run: version at 3, id at 4, initiator at 10", () => {
    const run = {
      namespace: "ns",
      pipeline: "pl",
      version: 7n,
      id: 42n,
      started: 1667984400123n,
      ended: 1667984523456n,
      state: Run_RunState.RUNNING,
      status: Run_RunStatus.CANCELLED,
      statusReason: reason,
      initiator: { type: Initiator_Type.BOT, name: "bot", reason: "why" },
      variables: [variable],
      storeObjectsExpired: true,
    };
    const runBytes = [
      ...str(1, "ns"),
      ...str(2, "pl"),
      ...num(3, 7),
      ...num(4, 42),
      ...num(5, 1667984400123n),
      ...num(6, 1667984523456n),
      ...num(7, 2),
      ...num(8, 3),
      ...msg(9, reasonBytes),
      ...msg(10, num(1, 1), str(2, "bot"), str(3, "why")),
      ...msg(11, variableBytes),
      ...num(12, true),
    ];
    expectWire(RunV05, run, bytes(runBytes));
    // What a v0.5 extension reads: StartRunResponse.run at field 1.
    expectWire(StartRunResponseV05, { run }, bytes(msg(1, runBytes)));
  });

  test("RunState, RunStatus and RunStatusReasonKind values", () => {
    expect([Run_RunState.RUN_STATE_UNKNOWN, Run_RunState.PENDING, Run_RunState.RUNNING, Run_RunState.COMPLETE]).toEqual(
      [0, 1, 2, 3],
    );
    expect([Run_RunStatus.SUCCESSFUL, Run_RunStatus.FAILED, Run_RunStatus.CANCELLED]).toEqual([1, 2, 3]);
    expect([
      RunStatusReason_RunStatusReasonKind.ABNORMAL_EXIT,
      RunStatusReason_RunStatusReasonKind.SCHEDULER_ERROR,
      RunStatusReason_RunStatusReasonKind.FAILED_PRECONDITION,
      RunStatusReason_RunStatusReasonKind.USER_CANCELLED,
      RunStatusReason_RunStatusReasonKind.ADMIN_CANCELLED,
    ]).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("Pipeline and PipelineConfig", () => {
  test("Pipeline: every field, maps keyed by task id and label, nested errors", () => {
    expectWire(
      Pipeline,
      {
        namespace: "ns",
        id: "pl",
        name: "Pipe",
        description: "desc",
        parallelism: 5000000007n,
        created: 11n,
        modified: 12n,
        state: Pipeline_PipelineState.DISABLED,
        customTasks: {
          build: {
            id: "build",
            description: "b",
            image: "img",
            registryAuth: { user: "u", pass: "p" },
            dependsOn: { test: CustomTask_RequiredParentStatus.FAILURE },
            variables: [variable],
            entrypoint: ["sh"],
            command: ["-c", "echo"],
          },
        },
        triggers: { every: { name: "interval", label: "every", settings: { EVERY: "1m" } } },
        commonTasks: {
          note: {
            name: "debug",
            label: "note",
            description: "d",
            dependsOn: { build: PipelineCommonTaskSettings_RequiredParentStatus.ANY },
            settings: { S: "1" },
          },
        },
        errors: [{ kind: Pipeline_ErrorKind.TRIGGER_SUBSCRIPTION_FAILURE, description: "gone" }],
        eventOutcomes: {},
        queuedRuns: 0n,
      },
      bytes(
        str(1, "ns"),
        str(2, "pl"),
        str(3, "Pipe"),
        str(4, "desc"),
        num(5, 5000000007n),
        num(6, 11),
        num(7, 12),
        num(8, 2),
        entry(
          9,
          "build",
          msg(
            2,
            str(1, "build"),
            str(2, "b"),
            str(3, "img"),
            msg(4, str(1, "u"), str(2, "p")),
            entry(5, "test", num(2, 3)),
            msg(6, variableBytes),
            str(7, "sh"),
            str(8, "-c"),
            str(8, "echo"),
          ),
        ),
        entry(10, "every", msg(2, str(1, "interval"), str(2, "every"), entry(3, "EVERY", str(2, "1m")))),
        entry(
          11,
          "note",
          msg(
            2,
            str(1, "debug"),
            str(2, "note"),
            str(3, "d"),
            entry(4, "build", num(2, 1)),
            entry(5, "S", str(2, "1")),
          ),
        ),
        msg(12, num(1, 1), str(2, "gone")),
      ),
    );
  });

  test("PipelineConfig: tasks as a oneof (custom 1, common 2), triggers at 6", () => {
    expectWire(
      PipelineConfig,
      {
        id: "pl",
        name: "Pipe",
        description: "d",
        parallelism: 2n,
        tasks: [
          {
            task: {
              $case: "customTask",
              value: {
                id: "a",
                description: "",
                image: "img",
                registryAuth: undefined,
                dependsOn: { b: CustomTaskConfig_RequiredParentStatus.SUCCESS },
                variables: { V: "1" },
                entrypoint: [],
                command: ["echo"],
              },
            },
          },
          {
            task: {
              $case: "commonTask",
              value: {
                name: "debug",
                label: "dbg",
                description: "",
                dependsOn: { a: CommonTaskConfig_RequiredParentStatus.ANY },
                settings: {},
              },
            },
          },
        ],
        triggers: [{ name: "interval", label: "every", settings: { GOFER_PLUGIN_PARAM_EVERY: "1m" } }],
      },
      bytes(
        str(1, "pl"),
        str(2, "Pipe"),
        str(3, "d"),
        num(4, 2),
        msg(
          5,
          msg(1, str(1, "a"), str(3, "img"), entry(5, "b", num(2, 2)), entry(6, "V", str(2, "1")), str(8, "echo")),
        ),
        msg(5, msg(2, str(1, "debug"), str(2, "dbg"), entry(4, "a", num(2, 1)))),
        msg(6, str(1, "interval"), str(2, "every"), entry(3, "GOFER_PLUGIN_PARAM_EVERY", str(2, "1m"))),
      ),
    );
  });

  test("RequiredParentStatus values in all four copies: ANY 1, SUCCESS 2, FAILURE 3", () => {
    for (const e of [
      CustomTask_RequiredParentStatus,
      CustomTaskConfig_RequiredParentStatus,
      CommonTaskConfig_RequiredParentStatus,
      PipelineCommonTaskSettings_RequiredParentStatus,
    ]) {
      expect([e.REQUIRED_PARENT_STATUS_UNKNOWN, e.ANY, e.SUCCESS, e.FAILURE]).toEqual([0, 1, 2, 3]);
    }
  });
});

describe("TaskRun, Trigger, Event", () => {
  test("TaskRun: negative exit code as a 10-byte varint, variables at 16, then the oneof custom_task at 14", () => {
    const encoded = bytes(
      num(1, 1n),
      num(2, 2n),
      num(3, -9n),
      msg(4, num(1, 5), str(2, "orphaned")),
      str(5, "build"),
      num(6, true),
      num(7, true),
      str(8, "ns"),
      str(9, "pl"),
      num(10, 3n),
      num(11, 4n),
      num(12, 4),
      num(13, 2),
      // Go writes the oneof member after the other fields (see the TaskRun vectors).
      msg(16, variableBytes),
      msg(14, str(1, "build"), str(3, "img")),
    );
    expect(num(3, -9n)).toHaveLength(11);
    expectWire(
      TaskRun,
      {
        created: 1n,
        ended: 2n,
        exitCode: -9n,
        statusReason: { reason: TaskRunStatusReason_Reason.ORPHANED, description: "orphaned" },
        id: "build",
        logsExpired: true,
        logsRemoved: true,
        namespace: "ns",
        pipeline: "pl",
        run: 3n,
        started: 4n,
        state: TaskRun_TaskRunState.COMPLETE,
        status: TaskRun_TaskRunStatus.FAILED,
        task: {
          $case: "customTask",
          value: {
            id: "build",
            description: "",
            image: "img",
            registryAuth: undefined,
            dependsOn: {},
            variables: [],
            entrypoint: [],
            command: [],
          },
        },
        variables: [variable],
      },
      encoded,
    );
  });

  test("TaskRun: oneof common_task at 15", () => {
    const decoded = TaskRun.decode(
      bytes(msg(15, msg(1, str(1, "debug")), msg(2, str(1, "debug"), num(7, 2), str(8, "doc")))),
    );
    expect(decoded.task?.$case).toBe("commonTask");
    const value = decoded.task?.$case === "commonTask" ? decoded.task.value : undefined;
    expect(value?.registration?.status).toBe(CommonTaskRegistration_Status.DISABLED);
    expect(value?.registration?.documentation).toBe("doc");
  });

  test("TaskRun state and status values", () => {
    expect([
      TaskRun_TaskRunState.PROCESSING,
      TaskRun_TaskRunState.WAITING,
      TaskRun_TaskRunState.RUNNING,
      TaskRun_TaskRunState.COMPLETE,
    ]).toEqual([1, 2, 3, 4]);
    expect([
      TaskRun_TaskRunStatus.SUCCESSFUL,
      TaskRun_TaskRunStatus.FAILED,
      TaskRun_TaskRunStatus.CANCELLED,
      TaskRun_TaskRunStatus.SKIPPED,
    ]).toEqual([1, 2, 3, 4]);
    expect([
      TaskRunStatusReason_Reason.ABNORMAL_EXIT,
      TaskRunStatusReason_Reason.SCHEDULER_ERROR,
      TaskRunStatusReason_Reason.FAILED_PRECONDITION,
      TaskRunStatusReason_Reason.CANCELLED,
      TaskRunStatusReason_Reason.ORPHANED,
    ]).toEqual([1, 2, 3, 4, 5]);
  });

  test("Trigger: fields 1-7 with state EXITED 3 and status DISABLED 2", () => {
    expectWire(
      Trigger,
      {
        name: "interval",
        image: "img",
        url: "127.0.0.1:1234",
        started: 99n,
        state: Trigger_TriggerState.EXITED,
        status: Trigger_TriggerStatus.DISABLED,
        documentation: "doc",
        kind: "",
        eventOutcomes: {},
      },
      bytes(
        str(1, "interval"),
        str(2, "img"),
        str(3, "127.0.0.1:1234"),
        num(4, 99),
        num(5, 3),
        num(6, 2),
        str(7, "doc"),
      ),
    );
    expect([Trigger_TriggerState.PROCESSING, Trigger_TriggerState.RUNNING]).toEqual([1, 2]);
    expect(Trigger_TriggerStatus.ENABLED).toBe(1);
    // Our addition: an extension's kind at field 8; a v0.4 trigger (kind empty) encodes exactly as the original.
    expect(hex(Trigger.encode(Trigger.fromPartial({ name: "ext", kind: "extension" })).finish())).toBe(
      hex(bytes(str(1, "ext"), str(8, "extension"))),
    );
    // Our addition: event outcome counts at field 9, a map<string, int64>; empty in a v0.4 trigger (above).
    expect(hex(Trigger.encode(Trigger.fromPartial({ name: "t", eventOutcomes: { runs_started: 3n } })).finish())).toBe(
      hex(bytes(str(1, "t"), entry(9, "runs_started", num(2, 3)))),
    );
  });

  test("Pipeline additions: event outcomes at 100 and queued runs at 101, absent when empty", () => {
    expectWire(
      Pipeline,
      Pipeline.fromPartial({ id: "pl", eventOutcomes: { skipped_pipeline_disabled: 2n }, queuedRuns: 4n }),
      bytes(str(2, "pl"), entry(100, "skipped_pipeline_disabled", num(2, 2)), num(101, 4)),
    );
  });

  test("Event: id 1, kind 2, details 3, emitted 4", () => {
    expectWire(
      Event,
      { id: 4294967399n, kind: "FIRED_TRIGGER_EVENT", details: "{}", emitted: 5n },
      bytes(num(1, 4294967399n), str(2, "FIRED_TRIGGER_EVENT"), str(3, "{}"), num(4, 5)),
    );
  });

  test("the two result enums differ: TriggerResult.Status has FAILURE 1 and SUCCESS 2", () => {
    expect([TriggerResult_Status.FAILURE, TriggerResult_Status.SUCCESS, TriggerResult_Status.SKIPPED]).toEqual([
      1, 2, 3,
    ]);
    expect([Token_Kind.MANAGEMENT, Token_Kind.CLIENT]).toEqual([1, 2]);
  });
});
