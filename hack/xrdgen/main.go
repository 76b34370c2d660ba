// Command xrdgen derives the XApp XRDs from the Go types. controller-gen knows how to turn Go types and
// their markers into an OpenAPI schema but only writes CRDs; Crossplane wants that same schema inside
// a CompositeResourceDefinition. xrdgen runs controller-gen into a temporary folder and wraps the
// schema twice: a namespaced v2 XRD (kind XApp) and a legacy v1 XRD (kind CompositeApp, claim App), so
// both API styles stay identical by construction. The platform's XAppPolicy gets a cluster-scoped v2
// XRD the same way.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	xpv2 "github.com/crossplane/crossplane/apis/v2/apiextensions/v2"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

const (
	errControllerGen = "cannot run controller-gen"
	errReadCRD       = "cannot read the CRD controller-gen wrote"
	errWrite         = "cannot write XRD"
)

// Composition names the XRDs default to; the package ships compositions with these names.
const (
	CompositionXApp       = "xapp"
	CompositionApp        = "app-legacy"
	CompositionXAppPolicy = "xapppolicy"
)

// Printer columns of each kind: what `kubectl get` shows.
var (
	appColumns = []extv1.CustomResourceColumnDefinition{
		{Name: "Image", Type: "string", JSONPath: ".status.image"},
		{Name: "Available", Type: "integer", JSONPath: ".status.replicas.available"},
		{Name: "URL", Type: "string", JSONPath: ".status.url"},
	}
	policyColumns = []extv1.CustomResourceColumnDefinition{
		{Name: "Admission-Policy", Type: "string", JSONPath: ".status.admission.policy"},
	}
)

func main() {
	apis := flag.String("apis", "./v1alpha1", "package with the XApp Go types")
	out := flag.String("out", "package/configuration", "folder the XRDs are written to")
	flag.Parse()
	if err := run(*apis, *out); err != nil {
		fmt.Fprintln(os.Stderr, "xrdgen:", err)
		os.Exit(1)
	}
}

func run(apis, out string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "xrdgen")
	if err != nil {
		return errors.Wrap(err, errControllerGen)
	}
	defer os.RemoveAll(tmp) //nolint:errcheck // A leftover temp folder is harmless.

	cmd := exec.CommandContext(context.Background(), "go", "tool", "-modfile="+filepath.Join(root, "tools/codegen/go.mod"), "controller-gen",
		"crd:crdVersions=v1", "paths="+apis, "output:crd:dir="+tmp)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return errors.Wrap(err, errControllerGen)
	}
	versions, err := readVersions(filepath.Join(tmp, v1alpha1.Group+"_xapps.yaml"), appColumns)
	if err != nil {
		return err
	}
	if err := write(filepath.Join(out, "xrd-xapp.yaml"), v2XRD(xappKind, versions)); err != nil {
		return err
	}
	if err := write(filepath.Join(out, "xrd-app.yaml"), legacy(versions)); err != nil {
		return err
	}
	versions, err = readVersions(filepath.Join(tmp, v1alpha1.Group+"_xapppolicies.yaml"), policyColumns)
	if err != nil {
		return err
	}
	return write(filepath.Join(out, "xrd-xapppolicy.yaml"), v2XRD(policyKind, versions))
}

// readVersions reads the CRD controller-gen wrote and keeps its versions for an XRD.
func readVersions(path string, columns []extv1.CustomResourceColumnDefinition) ([]xpv2.CompositeResourceDefinitionVersion, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.Wrap(err, errReadCRD)
	}
	crd := &extv1.CustomResourceDefinition{}
	if err := yaml.Unmarshal(b, crd); err != nil {
		return nil, errors.Wrap(err, errReadCRD)
	}
	return xrdVersions(crd, columns)
}

// xrdVersions keeps only spec and status of each CRD version: Crossplane adds metadata, its own
// spec fields (composition selection, claim and resource refs) and status conditions itself.
func xrdVersions(crd *extv1.CustomResourceDefinition, columns []extv1.CustomResourceColumnDefinition) ([]xpv2.CompositeResourceDefinitionVersion, error) {
	vs := make([]xpv2.CompositeResourceDefinitionVersion, 0, len(crd.Spec.Versions))
	for _, v := range crd.Spec.Versions {
		s := v.Schema.OpenAPIV3Schema
		schema := extv1.JSONSchemaProps{
			Type:        "object",
			Description: s.Description,
			Required:    []string{"spec"},
			Properties:  map[string]extv1.JSONSchemaProps{"spec": s.Properties["spec"], "status": s.Properties["status"]},
		}
		raw, err := json.Marshal(schema)
		if err != nil {
			return nil, errors.Wrap(err, errWrite)
		}
		vs = append(vs, xpv2.CompositeResourceDefinitionVersion{
			Name:                     v.Name,
			Served:                   true,
			Referenceable:            v.Storage,
			Schema:                   &xpv2.CompositeResourceValidation{OpenAPIV3Schema: runtime.RawExtension{Raw: raw}},
			AdditionalPrinterColumns: columns,
		})
	}
	return vs, nil
}

// v2Kind is what tells one v2 XRD of the API from another.
type v2Kind struct {
	kind, plural, singular, composition string
	scope                               xpv2.CompositeResourceScope
}

// The v2 XRDs: the namespaced XApp, and the XAppPolicy, cluster-scoped since one policy serves every
// namespace and only a cluster-scoped XR may compose the cluster-scoped admission objects.
var (
	xappKind   = v2Kind{kind: v1alpha1.XAppKind, plural: "xapps", singular: "xapp", composition: CompositionXApp, scope: xpv2.CompositeResourceScopeNamespaced}
	policyKind = v2Kind{kind: v1alpha1.XAppPolicyKind, plural: "xapppolicies", singular: "xapppolicy", composition: CompositionXAppPolicy, scope: xpv2.CompositeResourceScopeCluster}
)

func v2XRD(k v2Kind, vs []xpv2.CompositeResourceDefinitionVersion) *xpv2.CompositeResourceDefinition {
	return &xpv2.CompositeResourceDefinition{
		TypeMeta:   metav1.TypeMeta{APIVersion: xpv2.SchemeGroupVersion.String(), Kind: xpv2.CompositeResourceDefinitionKind},
		ObjectMeta: metav1.ObjectMeta{Name: k.plural + "." + v1alpha1.Group},
		Spec: xpv2.CompositeResourceDefinitionSpec{
			Group: v1alpha1.Group,
			Names: extv1.CustomResourceDefinitionNames{
				Kind: k.kind, ListKind: k.kind + "List", Plural: k.plural, Singular: k.singular,
				Categories: []string{"crossplane", v1alpha1.Category},
			},
			Scope:                 k.scope,
			DefaultCompositionRef: &xpv2.CompositionReference{Name: k.composition},
			Versions:              vs,
		},
	}
}

func legacy(vs []xpv2.CompositeResourceDefinitionVersion) *xpv1.CompositeResourceDefinition {
	v1s := make([]xpv1.CompositeResourceDefinitionVersion, len(vs))
	for i, v := range vs {
		v1s[i] = xpv1.CompositeResourceDefinitionVersion{
			Name: v.Name, Served: v.Served, Referenceable: v.Referenceable,
			Schema:                   &xpv1.CompositeResourceValidation{OpenAPIV3Schema: v.Schema.OpenAPIV3Schema},
			AdditionalPrinterColumns: v.AdditionalPrinterColumns,
		}
	}
	return &xpv1.CompositeResourceDefinition{
		TypeMeta:   metav1.TypeMeta{APIVersion: xpv1.SchemeGroupVersion.String(), Kind: xpv1.CompositeResourceDefinitionKind},
		ObjectMeta: metav1.ObjectMeta{Name: "compositeapps." + v1alpha1.Group},
		Spec: xpv1.CompositeResourceDefinitionSpec{
			Group: v1alpha1.Group,
			Names: extv1.CustomResourceDefinitionNames{
				Kind: v1alpha1.CompositeAppKind, ListKind: v1alpha1.CompositeAppKind + "List", Plural: "compositeapps", Singular: "compositeapp",
				Categories: []string{"crossplane", v1alpha1.Category},
			},
			ClaimNames: &extv1.CustomResourceDefinitionNames{
				Kind: v1alpha1.AppKind, ListKind: v1alpha1.AppKind + "List", Plural: "apps", Singular: "app",
				Categories: []string{"crossplane", v1alpha1.Category},
			},
			DefaultCompositionRef: &xpv1.CompositionReference{Name: CompositionApp},
			Scope:                 ptr.To(xpv1.CompositeResourceScopeLegacyCluster),
			Versions:              v1s,
		},
	}
}

// write stores o as YAML without the fields a typed object cannot leave out (status, a null
// creationTimestamp), so the files read like hand-written ones and diff cleanly.
func write(path string, o any) error {
	j, err := json.Marshal(o)
	if err != nil {
		return errors.Wrap(err, errWrite)
	}
	m := map[string]any{}
	if err := json.Unmarshal(j, &m); err != nil {
		return errors.Wrap(err, errWrite)
	}
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	y, err := yaml.Marshal(m)
	if err != nil {
		return errors.Wrap(err, errWrite)
	}
	var buf bytes.Buffer
	buf.WriteString("# Generated by hack/xrdgen from apis/xapp (go generate ./...). DO NOT EDIT.\n")
	buf.Write(y)
	return errors.Wrap(os.WriteFile(path, buf.Bytes(), 0o644), errWrite) //nolint:gosec // A manifest is meant to be world-readable.
}

func repoRoot() (string, error) {
	out, err := exec.CommandContext(context.Background(), "go", "env", "GOMOD").Output()
	if err != nil {
		return "", errors.Wrap(err, "cannot find the module root")
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}
