#!/usr/bin/env node
// `gofer`, the packed package's bin: runs the bundle (the CLI with the server in it) that `pnpm pack` builds. In the
// workspace, bin/gofer runs it instead (or the TypeScript sources, when they are newer than the bundle).
import "../dist/gofer.mjs";
