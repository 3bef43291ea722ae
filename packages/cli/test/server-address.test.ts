import { expect, test } from "vitest";
import { isLoopback, parseServerAddress } from "../src/server-address.js";

test.each([
  ["localhost:8080", "localhost", 8080, "localhost:8080"],
  ["gofer.example.com", "gofer.example.com", 443, "gofer.example.com:443"],
  ["https://gofer.example.com:9443/", "gofer.example.com", 9443, "gofer.example.com:9443"],
  ["[::1]:8080", "::1", 8080, "[::1]:8080"],
  ["::1", "::1", 443, "[::1]:443"],
  ["127.0.0.1:0", "127.0.0.1", 0, ""],
])("%s", (text, hostname, port, target) => {
  if (port === 0) {
    expect(() => parseServerAddress(text)).toThrow('host "127.0.0.1:0" is not host:port');
    return;
  }
  expect(parseServerAddress(text)).toMatchObject({ hostname, port, target });
});

test("loopback names are this machine only", () => {
  expect(
    ["localhost:1", "127.0.0.1:1", "127.1.2.3:1", "[::1]:1"].map((h) => isLoopback(parseServerAddress(h))),
  ).toEqual([true, true, true, true]);
  expect(isLoopback(parseServerAddress("gofer.example.com:443"))).toBe(false);
});
