// HTTP/2 as gRPC needs it, shared by the trigger SDK's server and the server's Watch client: frames, the frame
// reader, HPACK (with Huffman decoding), the peer's settings and a header block as it arrives.
export * from "./frame-reader.js";
export * from "./frames.js";
export * from "./header-block.js";
export * from "./hpack.js";
export * from "./huffman.js";
export * from "./peer-settings.js";
