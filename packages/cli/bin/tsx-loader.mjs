// Preloaded by bin/gofer: registers tsx, resolved from this package (node resolves `--import tsx` from the
// working directory, so running `gofer` outside the checkout could not find it).
import "tsx";
