// The SETTINGS a client sends, as far as they bind this server (RFC 9113 §6.5.2). HEADER_TABLE_SIZE needs nothing:
// this side's encoder never indexes; MAX_CONCURRENT_STREAMS limits pushes, which a server here never makes.
import { ConnectionError, DEFAULT_MAX_FRAME_SIZE, ErrorCode, MAX_WINDOW, Setting } from "./frames.js";

export interface PeerSettings {
  initialWindow?: number;
  maxFrameSize?: number;
}

/** Reads one SETTINGS payload; a value out of range is a connection error. */
export function readSettings(payload: Buffer): PeerSettings {
  if (payload.length % 6 !== 0) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "SETTINGS not 6-byte entries");
  const settings: PeerSettings = {};
  for (let at = 0; at < payload.length; at += 6) {
    const value = payload.readUInt32BE(at + 2);
    switch (payload.readUInt16BE(at)) {
      case Setting.ENABLE_PUSH:
        if (value > 1) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "ENABLE_PUSH not 0 or 1");
        break;
      case Setting.INITIAL_WINDOW_SIZE:
        if (value > MAX_WINDOW) throw new ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, "INITIAL_WINDOW_SIZE too big");
        settings.initialWindow = value;
        break;
      case Setting.MAX_FRAME_SIZE:
        if (value < DEFAULT_MAX_FRAME_SIZE || value > 16_777_215) {
          throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "MAX_FRAME_SIZE out of range");
        }
        settings.maxFrameSize = value;
        break;
      default:
        break;
    }
  }
  return settings;
}
