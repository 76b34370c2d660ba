package relationship

import (
	"testing"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

func TestBackendType(t *testing.T) {
	cases := map[string]struct {
		reason  string
		backend v1alpha1.Backend
		typ     v1alpha1.RelationshipType
		want    string
	}{
		"SNDependsOn": {"ServiceNow's cmdb_rel_type names.", v1alpha1.BackendServiceNow, v1alpha1.RelationshipDependsOn, "Depends on::Used by"},
		"SNRunsOn":    {"", v1alpha1.BackendServiceNow, v1alpha1.RelationshipRunsOn, "Runs on::Runs"},
		"SNContains":  {"", v1alpha1.BackendServiceNow, v1alpha1.RelationshipContains, "Contains::Contained by"},
		"ITop":        {"iTop links every type through the application solution's functional CIs.", v1alpha1.BackendITop, v1alpha1.RelationshipRunsOn, ITopLinkClass},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := BackendType(tc.backend, tc.typ); got != tc.want {
				t.Errorf("%s\nBackendType: want %q, got %q", tc.reason, tc.want, got)
			}
		})
	}
}

func TestUpToDate(t *testing.T) {
	want := link{Parent: "p", Child: "c", Type: "Depends on::Used by"}
	cases := map[string]struct {
		reason string
		got    link
		want   bool
	}{
		"Same":         {"The id is not compared: only what the link joins.", link{ID: "x", Parent: "p", Child: "c", Type: "Depends on::Used by"}, true},
		"TypeEdited":   {"Someone changing the type in the CMDB is drift.", link{Parent: "p", Child: "c", Type: "Runs on::Runs"}, false},
		"ParentEdited": {"So is moving the link to another parent.", link{Parent: "q", Child: "c", Type: "Depends on::Used by"}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := UpToDate(want, tc.got); got != tc.want {
				t.Errorf("%s\nUpToDate: want %t, got %t", tc.reason, tc.want, got)
			}
		})
	}
}
