package main

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

func TestTopLevel(t *testing.T) {
	props := func(names ...string) *extv1.JSONSchemaProps {
		p := &extv1.JSONSchemaProps{Properties: map[string]extv1.JSONSchemaProps{}}
		for _, n := range names {
			p.Properties[n] = extv1.JSONSchemaProps{Type: "object"}
		}
		return p
	}
	cases := map[string]struct {
		reason string
		schema *extv1.JSONSchemaProps
		want   []string
	}{
		"Resource": {
			reason: "A resource with spec and status documents those two, spec first.",
			schema: props("apiVersion", "kind", "metadata", "status", "spec"),
			want:   []string{"spec", "status"},
		},
		"SpecOnly": {
			reason: "A resource without status documents its spec.",
			schema: props("apiVersion", "kind", "metadata", "spec"),
			want:   []string{"spec"},
		},
		"Input": {
			reason: "A function's Input keeps its settings at the top level: every field but type and metadata, in name order.",
			schema: props("apiVersion", "kind", "metadata", "gateway", "domain", "cmdb"),
			want:   []string{"cmdb", "domain", "gateway"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, topLevel(tc.schema)); diff != "" {
				t.Errorf("%s\ntopLevel(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRows(t *testing.T) {
	str := extv1.JSONSchemaProps{Type: "string", Description: "A string."}
	cases := map[string]struct {
		reason string
		schema extv1.JSONSchemaProps
		want   string
	}{
		"ArrayOfObjects": {
			reason: "The fields of an array's items are listed under path[].",
			schema: extv1.JSONSchemaProps{Type: "array", Items: &extv1.JSONSchemaPropsOrArray{Schema: &extv1.JSONSchemaProps{
				Type: "object", Properties: map[string]extv1.JSONSchemaProps{"name": str}, Required: []string{"name"},
			}}},
			want: "| `f` | object[] |  |\n| `f[].name` | string | A string. _(required)_ |\n",
		},
		"MapOfMapsOfObjects": {
			reason: "The fields of a map's values are listed under a placeholder key, however deep the maps nest.",
			schema: extv1.JSONSchemaProps{Type: "object", AdditionalProperties: &extv1.JSONSchemaPropsOrBool{Schema: &extv1.JSONSchemaProps{
				Type: "object", AdditionalProperties: &extv1.JSONSchemaPropsOrBool{Schema: &extv1.JSONSchemaProps{
					Type: "object", Properties: map[string]extv1.JSONSchemaProps{"cache": str},
				}},
			}}},
			want: "| `f` | map of map of object |  |\n| `f.<key>.<key>.cache` | string | A string. |\n",
		},
		"MapOfStrings": {
			reason: "A map of plain values is one row.",
			schema: extv1.JSONSchemaProps{Type: "object", AdditionalProperties: &extv1.JSONSchemaPropsOrBool{Schema: &str}},
			want:   "| `f` | map of string |  |\n",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			rows(&b, "f", tc.schema, false)
			if diff := cmp.Diff(tc.want, b.String()); diff != "" {
				t.Errorf("%s\nrows(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
