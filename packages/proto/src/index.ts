// The public API of @gofer/proto: the generated messages, enums, services and clients of protos/ (package `proto`).
export * from "./gen/gofer.js";
// Each generated file declares these; name one copy so the star exports above are not ambiguous.
export { protobufFileName, protobufPackage } from "./gen/gofer.js";
export type { DeepPartial, MessageFns } from "./gen/gofer_message.js";
export * from "./gen/gofer_message.js";
export * from "./gen/gofer_transport.js";
export * from "./gen/gofer_v05.js";
export { type PromiseClient, type PromiseClientOptions, promiseClient } from "./promise-client.js";
