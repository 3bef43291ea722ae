// Preloaded by ./trigger when it runs the TypeScript source: registers tsx, resolved from this package's location
// (node resolves `--import tsx` from the working directory, so a server started elsewhere could not start it).
import "tsx";
