// Package render runs the real Crossplane CLI and render engine against the
// real function binary, offline.
//
// The golden render tests and `make render` must see exactly what a platform
// engineer sees with `crossplane composition render`, so nothing here
// re-implements the render engine: it starts the function, points the
// Function's Development runtime at it, and runs the CLI. The package exists
// mostly to turn the CLI's quiet failure modes into errors that say what went
// wrong:
//
//   - a Function that is not listening makes render hang until --timeout and
//     then say only "signal: killed", so every function address is dialled
//     before the CLI runs;
//   - `crossplane resource validate` exits 0 when it found no schema for a
//     kind, so Validate treats a missing schema as a failure (see Validate).
package render
