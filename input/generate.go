// Package input holds function-xapp's Input versions and the go:generate steps that derive their
// deepcopy code and the CRD shipped in the function package (which `crossplane resource validate` and
// editors use to check Compositions).
package input

//go:generate go tool -modfile=../tools/codegen/go.mod controller-gen object:headerFile=../hack/boilerplate.go.txt paths=./... crd:crdVersions=v1 output:crd:artifacts:config=../package/function/input
