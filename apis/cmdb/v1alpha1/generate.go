package v1alpha1

// The generators are pinned in tools/codegen so that `go generate ./...` needs nothing on
// PATH and every machine produces byte-identical output.

// CRDs are rewritten from scratch so a removed kind does not leave a stale CRD behind.
//go:generate rm -rf ../../../package/provider/crds
//go:generate go tool -modfile=../../../tools/codegen/go.mod controller-gen object paths=./... crd:crdVersions=v1 output:artifacts:config=../../../package/provider/crds

// Method sets that make these types Crossplane managed resources, provider configs and
// usages (resource.Managed etc.), and the reference resolvers of Relationship.
//go:generate go tool -modfile=../../../tools/codegen/go.mod angryjet generate-methodsets ./...
