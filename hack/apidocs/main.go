// Command apidocs writes the field reference in README.md from the generated schemas, so the
// reference says exactly what the XRDs and CRDs enforce and cannot drift from the Go types they come
// from. It replaces what stands between the markers
//
//	<!-- BEGIN GENERATED REFERENCE: name -->
//	<!-- END GENERATED REFERENCE: name -->
//
// for each -schema name=file[:kind] it is given, and leaves the rest of the README alone.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

type schemas []string

func (s *schemas) String() string     { return strings.Join(*s, ",") }
func (s *schemas) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	var ss schemas
	readme := flag.String("readme", "README.md", "the README to update")
	flag.Var(&ss, "schema", "name=file: a CRD or XRD whose first version's spec and status (or, without them, every top-level field) are documented between the markers for name (repeatable)")
	flag.Parse()
	if err := run(*readme, ss); err != nil {
		fmt.Fprintln(os.Stderr, "apidocs:", err)
		os.Exit(1)
	}
}

func run(readme string, ss schemas) error {
	b, err := os.ReadFile(readme)
	if err != nil {
		return errors.Wrap(err, "cannot read the README")
	}
	for _, s := range ss {
		name, file, ok := strings.Cut(s, "=")
		if !ok {
			return errors.Errorf("-schema %q: want name=file", s)
		}
		schema, err := load(file)
		if err != nil {
			return errors.Wrapf(err, "cannot load %s", file)
		}
		var t bytes.Buffer
		t.WriteString("| field | type | description |\n|---|---|---|\n")
		for _, top := range topLevel(schema) {
			rows(&t, top, schema.Properties[top], slices.Contains(schema.Required, top))
		}
		re := regexp.MustCompile(`(?s)(<!-- BEGIN GENERATED REFERENCE: ` + regexp.QuoteMeta(name) + ` -->\n).*?(<!-- END GENERATED REFERENCE: ` + regexp.QuoteMeta(name) + ` -->)`)
		if !re.Match(b) {
			return errors.Errorf("README has no markers for %q", name)
		}
		b = re.ReplaceAllFunc(b, func(m []byte) []byte {
			sub := re.FindSubmatch(m)
			return append(append(append([]byte{}, sub[1]...), t.Bytes()...), sub[2]...)
		})
	}
	return errors.Wrap(os.WriteFile(readme, b, 0o644), "cannot write the README") //nolint:gosec // A README is meant to be world-readable.
}

// load reads the openAPIV3Schema of the first version of a CRD or an XRD (both keep it at the same
// place).
func load(file string) (*extv1.JSONSchemaProps, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Spec struct {
			Versions []struct {
				Schema struct {
					OpenAPIV3Schema extv1.JSONSchemaProps `json:"openAPIV3Schema"`
				} `json:"schema"`
			} `json:"versions"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if len(doc.Spec.Versions) == 0 {
		return nil, errors.New("no versions")
	}
	return &doc.Spec.Versions[0].Schema.OpenAPIV3Schema, nil
}

// topLevel are the fields a reader writes: spec and status of a resource with them, every field but
// the object's type and metadata of one without (a function's Input keeps its settings at the top).
func topLevel(schema *extv1.JSONSchemaProps) []string {
	var out []string
	for _, top := range []string{"spec", "status"} {
		if _, ok := schema.Properties[top]; ok {
			out = append(out, top)
		}
	}
	if len(out) > 0 {
		return out
	}
	for n := range schema.Properties {
		switch n {
		case "apiVersion", "kind", "metadata":
		default:
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// rows writes one row for path and one for each field below it, depth first in name order.
func rows(w *bytes.Buffer, path string, p extv1.JSONSchemaProps, required bool) {
	fmt.Fprintf(w, "| `%s` | %s | %s |\n", path, typeOf(p), describe(p, required))
	item := p
	for {
		switch {
		case item.Type == "array" && item.Items != nil && item.Items.Schema != nil:
			item = *item.Items.Schema
			path += "[]"
			continue
		case item.Type == "object" && len(item.Properties) == 0 && item.AdditionalProperties != nil && item.AdditionalProperties.Schema != nil:
			// A map's values are documented under a placeholder key, so their fields are listed too.
			item = *item.AdditionalProperties.Schema
			path += ".<key>"
			continue
		}
		break
	}
	names := make([]string, 0, len(item.Properties))
	for n := range item.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rows(w, path+"."+n, item.Properties[n], slices.Contains(item.Required, n))
	}
}

func typeOf(p extv1.JSONSchemaProps) string {
	switch {
	case p.XIntOrString:
		return "int or string"
	case p.Type == "array" && p.Items != nil && p.Items.Schema != nil:
		return typeOf(*p.Items.Schema) + "[]"
	case p.Type == "object" && p.AdditionalProperties != nil && p.AdditionalProperties.Schema != nil:
		return "map of " + typeOf(*p.AdditionalProperties.Schema)
	default:
		return p.Type
	}
}

func describe(p extv1.JSONSchemaProps, required bool) string {
	d := strings.Join(strings.Fields(p.Description), " ")
	facts := make([]string, 0, 6)
	if required {
		facts = append(facts, "required")
	}
	if p.Default != nil {
		facts = append(facts, "default `"+string(p.Default.Raw)+"`")
	}
	if len(p.Enum) > 0 {
		vs := make([]string, len(p.Enum))
		for i, e := range p.Enum {
			vs[i] = "`" + strings.Trim(string(e.Raw), `"`) + "`"
		}
		facts = append(facts, "one of "+strings.Join(vs, ", "))
	}
	if p.Minimum != nil && p.Maximum != nil {
		facts = append(facts, fmt.Sprintf("%g to %g", *p.Minimum, *p.Maximum))
	} else if p.Minimum != nil {
		facts = append(facts, fmt.Sprintf("at least %g", *p.Minimum))
	}
	if p.MaxItems != nil {
		facts = append(facts, fmt.Sprintf("at most %d items", *p.MaxItems))
	}
	for _, v := range p.XValidations {
		facts = append(facts, "rule: "+v.Message)
	}
	if len(facts) > 0 {
		d += " _(" + strings.Join(facts, "; ") + ")_"
	}
	return strings.ReplaceAll(d, "|", `\|`)
}
