package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

// withMetrics adds a metrics port on 9090 and names it as the app's metrics.
func withMetrics() specMod {
	return func(s *v1alpha1.XAppSpec) {
		s.Ports = append(s.Ports, http("metrics", 9090))
		s.Metrics = &v1alpha1.Metrics{Port: "metrics"}
	}
}

func withSLO(slo *v1alpha1.SLO) specMod { return func(s *v1alpha1.XAppSpec) { s.SLO = slo } }

func withMonitoring(m *v1beta1.Monitoring) inputMod {
	return func(in *v1beta1.Input) { in.Monitoring = m }
}

func TestScrapeConfig(t *testing.T) {
	platform := withMonitoring(&v1beta1.Monitoring{Labels: map[string]string{"release": "prom", LabelName: "forged"}, Interval: "15s"})
	type want struct {
		labels    map[string]string
		endpoints []monitorEndpoint
	}
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		want   *want
	}{
		"NoMetrics":    {reason: "An app that serves no metrics is not scraped.", in: []inputMod{platform}},
		"NoMonitoring": {reason: "A platform without monitoring may not have the kind: nothing is composed.", mods: []specMod{withMetrics()}},
		"Scraped": {
			reason: "The app's metrics port, on its Service, with the platform's labels; the app's own labels win over a platform label of the same key.",
			in:     []inputMod{platform},
			mods:   []specMod{withMetrics()},
			want: &want{
				labels:    map[string]string{"release": "prom", LabelName: "shop", LabelInstance: "shop", LabelManagedBy: ManagedBy, LabelVersion: "1.4.2"},
				endpoints: []monitorEndpoint{{Port: "metrics", Path: "/metrics", Interval: "15s"}},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sm := scrapeConfig(testApp(t, tc.in, tc.mods...))
			var got *want
			if sm != nil {
				got = &want{labels: sm.Labels, endpoints: sm.Spec.Endpoints}
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nscrapeConfig(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestPrometheusRules(t *testing.T) {
	sli := &v1beta1.SLI{
		Errors: `errors{ns="{namespace}",app="{name}"}[{window}]`,
		Slow:   `slow{ns="{namespace}",app="{name}",le="{threshold}"}[{window}]`,
	}
	alerts := &v1beta1.Alerts{Labels: map[string]string{"severity": "warning", "team": "forged"}}
	type rule struct{ alert, expr, forDuration, severity, team string }
	rules := func(pr *prometheusRule) []rule {
		if pr == nil {
			return nil
		}
		var out []rule
		for _, g := range pr.Spec.Groups {
			for _, r := range g.Rules {
				out = append(out, rule{r.Alert, r.Expr, r.For, r.Labels["severity"], r.Labels["team"]})
			}
		}
		return out
	}
	health := []rule{
		{"XAppReplicasUnavailable", `kube_deployment_status_replicas_unavailable{namespace="team-shop", deployment="shop"} > 0`, "15m", "warning", "Shop"},
		{"XAppContainersRestarting", `increase(kube_pod_container_status_restarts_total{namespace="team-shop", container="shop"}[1h]) > 3`, "", "warning", "Shop"},
		{"XAppRolloutStuck", `kube_deployment_status_condition{namespace="team-shop", deployment="shop", condition="Progressing", status="false"} == 1`, "15m", "warning", "Shop"},
	}
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		want   []rule
	}{
		"NoMonitoring": {reason: "Nothing to alert through.", mods: []specMod{withSLO(&v1alpha1.SLO{Availability: "99.9"})}},
		"HealthOnly": {
			reason: "Every app gets the health alerts, labelled with its owner team, which the platform cannot forge.",
			in:     []inputMod{withMonitoring(&v1beta1.Monitoring{Alerts: alerts})},
			mods:   []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop"})},
			want:   health,
		},
		"Autoscaled": {
			reason: "An autoscaled app is also told when it stays at its maximum.",
			in:     []inputMod{withMonitoring(&v1beta1.Monitoring{Alerts: alerts})},
			mods:   []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop"}), withAutoscaling(2, 5)},
			want: append(append([]rule{}, health...), rule{"XAppAtMaxReplicas",
				`kube_horizontalpodautoscaler_status_current_replicas{namespace="team-shop", horizontalpodautoscaler="shop"} >= kube_horizontalpodautoscaler_spec_max_replicas{namespace="team-shop", horizontalpodautoscaler="shop"}`,
				"30m", "warning", "Shop"}),
		},
		"SLOWithoutSLI": {
			reason: "An SLO on a platform without SLIs raises nothing (policy warns).",
			in:     []inputMod{withMonitoring(&v1beta1.Monitoring{})},
			mods:   []specMod{withSLO(&v1alpha1.SLO{Availability: "99.9"})},
		},
		"LatencySLOOnAWeek": {
			reason: "A 99% latency objective over 7d: the workbook's budget shares at that window's burn rates, the threshold in seconds.",
			in:     []inputMod{withMonitoring(&v1beta1.Monitoring{SLI: &v1beta1.SLI{Slow: sli.Slow}})},
			mods:   []specMod{withSLO(&v1alpha1.SLO{Availability: "99.9", Window: "7d", Latency: &v1alpha1.LatencyObjective{Threshold: "250ms", Percent: "99"}})},
			want: []rule{
				{"XAppLatencyBudgetBurn", `(slow{ns="team-shop",app="shop",le="0.25"}[1h]) > 0.0336 and (slow{ns="team-shop",app="shop",le="0.25"}[5m]) > 0.0336`, "", "page", ""},
				{"XAppLatencyBudgetBurn", `(slow{ns="team-shop",app="shop",le="0.25"}[6h]) > 0.014 and (slow{ns="team-shop",app="shop",le="0.25"}[30m]) > 0.014`, "", "page", ""},
				{"XAppLatencyBudgetBurn", `(slow{ns="team-shop",app="shop",le="0.25"}[1d]) > 0.007 and (slow{ns="team-shop",app="shop",le="0.25"}[2h]) > 0.007`, "", "ticket", ""},
				{"XAppLatencyBudgetBurn", `(slow{ns="team-shop",app="shop",le="0.25"}[3d]) > 0.00233333 and (slow{ns="team-shop",app="shop",le="0.25"}[6h]) > 0.00233333`, "", "ticket", ""},
			},
		},
		"AvailabilityOnAMonth": {
			reason: "99.9% over 30d: the workbook's own numbers, 14.4x, 6x, 3x and 1x the 0.1% budget.",
			in:     []inputMod{withMonitoring(&v1beta1.Monitoring{SLI: &v1beta1.SLI{Errors: sli.Errors}})},
			mods:   []specMod{withSLO(&v1alpha1.SLO{Availability: "99.9"})},
			want: []rule{
				{"XAppErrorBudgetBurn", `(errors{ns="team-shop",app="shop"}[1h]) > 0.0144 and (errors{ns="team-shop",app="shop"}[5m]) > 0.0144`, "", "page", ""},
				{"XAppErrorBudgetBurn", `(errors{ns="team-shop",app="shop"}[6h]) > 0.006 and (errors{ns="team-shop",app="shop"}[30m]) > 0.006`, "", "page", ""},
				{"XAppErrorBudgetBurn", `(errors{ns="team-shop",app="shop"}[1d]) > 0.003 and (errors{ns="team-shop",app="shop"}[2h]) > 0.003`, "", "ticket", ""},
				{"XAppErrorBudgetBurn", `(errors{ns="team-shop",app="shop"}[3d]) > 0.001 and (errors{ns="team-shop",app="shop"}[6h]) > 0.001`, "", "ticket", ""},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := rules(prometheusRules(testApp(t, tc.in, tc.mods...)))
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(rule{})); diff != "" {
				t.Errorf("%s\nprometheusRules(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
