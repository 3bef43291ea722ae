// StartRun, shared by `gofer run start` and `gofer pipeline run` (the same command in v0.4.1).
import { parseKeyValueFlags } from "../key-value-flags.js";
import type { Session } from "../session.js";
import { runJson } from "../views/run-view.js";

export async function startRun(session: Session, pipelineId: string, variableFlags: readonly string[]): Promise<void> {
  const variables = parseKeyValueFlags(variableFlags, "-v/--variable");
  const { api } = await session.connect();
  const { run } = await api.startRun({ namespaceId: session.namespace, pipelineId, variables, initiator: undefined });
  if (!run) throw new Error(`the server sent no run for pipeline "${pipelineId}"`);
  const { output } = session;
  const y = output.colors.yellow;
  output.result(runJson(run), () =>
    [
      output.success(`Started run #${run.id} for pipeline "${pipelineId}"`),
      "",
      `  View it: ${y(`gofer run get ${pipelineId} ${run.id}`)}`,
      `  Its tasks: ${y(`gofer taskrun list ${pipelineId} ${run.id}`)}`,
      `  Follow a task's logs: ${y(`gofer taskrun logs ${pipelineId} ${run.id} <task id>`)}`,
    ].join("\n"),
  );
}
