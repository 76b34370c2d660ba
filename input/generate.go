// Package input holds function-xapp's Input versions and the go:generate steps that derive their
// deepcopy code and the CRD shipped in the function package (which `crossplane resource validate` and
// editors use to check Compositions).
package input

//go:generate go tool -modfile=../tools/codegen/go.mod controller-gen object:headerFile=../hack/boilerplate.go.txt paths=./... crd:crdVersions=v1 output:crd:artifacts:config=../package/function/input

// The README's field reference is generated last, from the XRD and CRDs generated above (input sorts
// after apis, so both are current by now).
//go:generate go run ../hack/apidocs -readme ../README.md -schema xapp=../package/configuration/xrd-xapp.yaml -schema xapppolicy=../package/configuration/xrd-xapppolicy.yaml -schema input=../package/function/input/fn.xapp.dev_inputs.yaml -schema configurationitem=../package/provider/crds/cmdb.m.xapp.dev_configurationitems.yaml -schema relationship=../package/provider/crds/cmdb.m.xapp.dev_relationships.yaml -schema notification=../package/provider/crds/cmdb.m.xapp.dev_notifications.yaml -schema changerecord=../package/provider/crds/cmdb.m.xapp.dev_changerecords.yaml -schema providerconfig=../package/provider/crds/cmdb.m.xapp.dev_providerconfigs.yaml
