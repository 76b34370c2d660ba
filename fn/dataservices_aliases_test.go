package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

func TestValidateDataEnv(t *testing.T) {
	cases := map[string]struct {
		reason string
		spec   v1alpha1.XAppSpec
		want   []string
	}{
		"Valid": {
			reason: "Names of the app's choosing for any service's variables.",
			spec: v1alpha1.XAppSpec{Database: &v1alpha1.Database{Env: map[string]string{"PGHOST": "POSTGRES_HOST"}},
				Cache: &v1alpha1.Cache{Env: map[string]string{"REDIS_HOST": "SPRING_DATA_REDIS_HOST"}}},
		},
		"Invalid": {
			reason: "A name must be a variable name, and given once across the services.",
			spec: v1alpha1.XAppSpec{Database: &v1alpha1.Database{Env: map[string]string{"PGHOST": "HOST", "PGPORT": "1PORT"}},
				Bucket: &v1alpha1.Bucket{Env: map[string]string{"BUCKET_NAME": "HOST"}}},
			want: []string{
				`spec.database.env[PGPORT]: Invalid value: "1PORT": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`,
				`spec.bucket.env[BUCKET_NAME]: Duplicate value: "HOST (also spec.database.env[PGHOST])"`,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := verdictOf(nil, validateDataEnv(&tc.spec))
			if diff := cmp.Diff(tc.want, got.errs); diff != "" {
				t.Errorf("%s\nvalidateDataEnv(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDataAliases(t *testing.T) {
	service := []corev1.EnvVar{secretEnv("PGHOST", "db", "host"), secretEnv("PGPASSWORD", "db", "password"), valueEnv("PGDATABASE", "shop")}
	cases := map[string]struct {
		reason  string
		names   map[string]string
		env     []corev1.EnvVar
		unknown []string
	}{
		"None": {reason: "No names, no second variables."},
		"Named": {
			reason: "Each named variable again under its second name, in the service's order, as a reference Kubernetes expands: never the value, even of a Secret.",
			names:  map[string]string{"PGPASSWORD": "POSTGRES_PASSWORD", "PGHOST": "POSTGRES_HOST"},
			env:    []corev1.EnvVar{valueEnv("POSTGRES_HOST", "$(PGHOST)"), valueEnv("POSTGRES_PASSWORD", "$(PGPASSWORD)")},
		},
		"Unknown": {
			reason:  "A variable the service does not give is refused, listing those it does.",
			names:   map[string]string{"MYSQL_HOST": "DB_HOST"},
			unknown: []string{`spec.database.env[MYSQL_HOST]: Invalid value: "MYSQL_HOST": not a variable this data service gives; it gives PGHOST, PGPASSWORD, PGDATABASE`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := aliasesOf("database", tc.names)
			if diff := cmp.Diff(tc.env, d.env(service)); diff != "" {
				t.Errorf("%s\nenv(): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.unknown, verdictOf(nil, d.unknown(service)).errs); diff != "" {
				t.Errorf("%s\nunknown(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDataEnvErrors(t *testing.T) {
	plan := &dataPlan{names: []string{"PGHOST", "DATABASE_URL", "POSTGRES_HOST"},
		errs: field.ErrorList{field.Invalid(field.NewPath("spec", "database", "env").Key("X"), "X", "not a variable this data service gives")}}
	a := testApp(t, nil, func(s *v1alpha1.XAppSpec) {
		s.Env = []v1alpha1.EnvVar{{Name: "SPRING_DATASOURCE_URL", Value: "jdbc:postgresql://$(PGHOST)"}, {Name: "POSTGRES_HOST", Value: "x"}}
		s.InitContainers = []v1alpha1.Container{{Name: "migrate", Image: "ghcr.io/acme/m:1", Env: []v1alpha1.EnvVar{{Name: "DATABASE_URL", Value: "y"}}}}
	})
	want := []string{
		`spec.database.env[X]: Invalid value: "X": not a variable this data service gives`,
		`spec.env[1].name: Invalid value: "POSTGRES_HOST": a data service of the app sets it; use another name, or give the service's variable another name with its env`,
		`spec.initContainers[0].env[0].name: Invalid value: "DATABASE_URL": a data service of the app sets it; use another name, or give the service's variable another name with its env`,
	}
	if diff := cmp.Diff(want, verdictOf(nil, plan.envErrors(a)).errs); diff != "" {
		t.Errorf("envErrors(): the plan's refusals, then each clash of the app's or an init container's variables with the services': -want, +got:\n%s", diff)
	}
	if got := (*dataPlan)(nil).envErrors(a); got != nil {
		t.Errorf("envErrors(): an app without data services has no clashes, got %v", got)
	}
}
