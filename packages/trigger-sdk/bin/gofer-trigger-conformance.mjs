#!/usr/bin/env node
// `gofer-trigger-conformance`, the packed package's bin: the conformance suite's command line, compiled to dist/
// (`pnpm pack` builds it). In the workspace, run `pnpm --filter ./packages/trigger-sdk conformance` instead.
import "../dist/conformance/main.js";
