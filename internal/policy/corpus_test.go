package policy_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// A corpusCase is one app of testdata/corpus.yaml and every message its environment gives it.
type corpusCase struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels,omitempty"`
	Spec      json.RawMessage   `json:"spec"`
	Want      []string          `json:"want,omitempty"`
	// Kind is XApp unless set: the agreement test creates each app as an App claim too.
	Kind string `json:"-"`
}

// corpus is what both enforcers judge: the policies, the namespaces and the apps.
type corpus struct {
	policies   []*unstructured.Unstructured
	namespaces map[string]*corev1.Namespace
	cases      []corpusCase
}

func loadCorpus(t *testing.T) corpus {
	t.Helper()
	c := corpus{namespaces: map[string]*corev1.Namespace{}}
	for _, doc := range documents(t, "policies.yaml") {
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			t.Fatalf("testdata/policies.yaml: %v", err)
		}
		c.policies = append(c.policies, decode(t, j))
	}
	for _, doc := range documents(t, "namespaces.yaml") {
		ns := &corev1.Namespace{}
		if err := yaml.Unmarshal(doc, ns); err != nil {
			t.Fatalf("testdata/namespaces.yaml: %v", err)
		}
		c.namespaces[ns.Name] = ns
	}
	b, err := os.ReadFile(filepath.Join("testdata", "corpus.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &c.cases); err != nil {
		t.Fatalf("testdata/corpus.yaml: %v", err)
	}
	return c
}

// documents splits a multi-document YAML file of testdata.
func documents(t *testing.T, name string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(b, []byte("\n---\n"))
}

// decode reads JSON as the API server does into an unstructured object: whole numbers are int64.
func decode(t *testing.T, j []byte) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(j); err != nil {
		t.Fatalf("cannot decode %s: %v", j, err)
	}
	return u
}

// xapp is the case's app as the API server hands it to admission.
func (cc corpusCase) xapp(t *testing.T) *unstructured.Unstructured {
	t.Helper()
	md, err := json.Marshal(metav1.ObjectMeta{Name: cc.Name, Namespace: cc.Namespace, Labels: cc.Labels})
	if err != nil {
		t.Fatal(err)
	}
	gv := v1alpha1.SchemeGroupVersion.String()
	kind := cc.Kind
	if kind == "" {
		kind = v1alpha1.XAppKind
	}
	return decode(t, []byte(`{"apiVersion":"`+gv+`","kind":"`+kind+`","metadata":`+string(md)+`,"spec":`+string(cc.Spec)+`}`))
}
