// Package xapp holds the XApp API versions and the go:generate steps that derive the deepcopy code
// and the XRDs from the Go types.
package xapp

// The XRDs are not CRDs, so controller-gen's schema is wrapped into XRDs by hack/xrdgen.
//go:generate go tool -modfile=../../tools/codegen/go.mod controller-gen object:headerFile=../../hack/boilerplate.go.txt paths=./...
//go:generate go run ../../hack/xrdgen -apis ./v1alpha1 -out ../../package/configuration
