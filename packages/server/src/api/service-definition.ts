// proto.Gofer as served. Identical to the generated definition except that StartRun can answer in two layouts: the
// v0.4 StartRunResponse, or, for v0.5 callers (their request carries an initiator), StartRunResponseV05, whose Run has
// the id at field 4 (spec §5.3). The handler picks by returning a StartRunV05Reply.
import { GoferService, StartRunResponse, StartRunResponseV05 } from "@gofer/proto";

export class StartRunV05Reply {
  constructor(readonly response: StartRunResponseV05) {}
}

export const goferServiceDefinition = {
  ...GoferService,
  startRun: {
    ...GoferService.startRun,
    responseSerialize: (value: StartRunResponse | StartRunV05Reply): Buffer =>
      value instanceof StartRunV05Reply
        ? Buffer.from(StartRunResponseV05.encode(value.response).finish())
        : Buffer.from(StartRunResponse.encode(value).finish()),
  },
} as const;
