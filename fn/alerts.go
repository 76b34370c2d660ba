package fn

import (
	"fmt"
	"maps"
	"math/big"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/xapp-dev/xapp/input/v1beta1"
)

// The PrometheusRule fields the function composes (prometheus-operator; validated against its CRD in
// the render tests).
type prometheusRule struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              prometheusRuleSpec `json:"spec"`
}

type prometheusRuleSpec struct {
	Groups []ruleGroup `json:"groups"`
}

type ruleGroup struct {
	Name  string      `json:"name"`
	Rules []alertRule `json:"rules"`
}

type alertRule struct {
	Alert       string            `json:"alert"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// Defaults of the alerts every app gets.
const (
	defaultUnavailableFor  = "15m"
	defaultRestartsPerHour = int32(3)
	defaultRolloutStuckFor = "15m"
	defaultAtMaxFor        = "30m"
	defaultSLOWindow       = "30d"
)

// prometheusRules alert on the app from kube-state-metrics' standard series, which need no knowledge
// of the app, and on its SLO where the platform defines SLIs. nil when there is nothing to alert on.
// Every alert is labelled with the app, its namespace and its CMDB owner team, so the platform's
// Alertmanager routes it to the team that owns the app.
func prometheusRules(a *app) *prometheusRule {
	m := a.in.Monitoring
	if m == nil {
		return nil
	}
	var groups []ruleGroup
	if m.Alerts != nil {
		groups = append(groups, ruleGroup{Name: a.namespace + "/" + a.name + "/health", Rules: a.healthAlerts(m.Alerts)})
	}
	if rules := a.sloAlerts(m.SLI); len(rules) > 0 {
		groups = append(groups, ruleGroup{Name: a.namespace + "/" + a.name + "/slo", Rules: rules})
	}
	if len(groups) == 0 {
		return nil
	}
	return &prometheusRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: monitoringAPI, Kind: "PrometheusRule"},
		ObjectMeta: a.monitoringMeta(a.name),
		Spec:       prometheusRuleSpec{Groups: groups},
	}
}

// healthAlerts are the alerts every app gets: pods unavailable, containers restarting, a rollout
// stuck, an autoscaler at its maximum.
func (a *app) healthAlerts(al *v1beta1.Alerts) []alertRule {
	if a.isJob() {
		return a.jobAlerts(al)
	}
	sel := fmt.Sprintf(`namespace=%q`, a.namespace)
	dep := sel + fmt.Sprintf(`, deployment=%q`, a.name)
	restarts := al.RestartsPerHour
	if restarts == 0 {
		restarts = defaultRestartsPerHour
	}
	rules := []alertRule{
		a.alert(al, "XAppReplicasUnavailable", "kube_deployment_status_replicas_unavailable{"+dep+"} > 0", or(al.UnavailableFor, defaultUnavailableFor),
			"Replicas of app %s are unavailable", "Some of the app's pods have not been available for %s: see `kubectl describe xapp` and the pods' events."),
		a.alert(al, "XAppContainersRestarting", fmt.Sprintf(`increase(kube_pod_container_status_restarts_total{%s, container=%q}[1h]) > %d`, sel, a.name, restarts), "",
			"Containers of app %s keep restarting", fmt.Sprintf("The app's containers restarted more than %d times in the last hour: see their logs (`kubectl logs --previous`).", restarts)),
		a.alert(al, "XAppRolloutStuck", `kube_deployment_status_condition{`+dep+`, condition="Progressing", status="false"} == 1`, or(al.RolloutStuckFor, defaultRolloutStuckFor),
			"The rollout of app %s is stuck", "The new revision has made no progress past its deadline for %s: AppReady on the XApp says why."),
	}
	if a.autoscaled() {
		hpa := sel + fmt.Sprintf(`, horizontalpodautoscaler=%q`, a.hpaName())
		rules = append(rules, a.alert(al, "XAppAtMaxReplicas",
			"kube_horizontalpodautoscaler_status_current_replicas{"+hpa+"} >= kube_horizontalpodautoscaler_spec_max_replicas{"+hpa+"}", or(al.AtMaxReplicasFor, defaultAtMaxFor),
			"App %s runs at its maximum replicas", "The autoscaler has been at spec.autoscaling.max for %s: the app may need more."))
	}
	return rules
}

// alert is one alert on the app; summary takes the app's name, description the duration.
func (a *app) alert(al *v1beta1.Alerts, name, expr, forDuration, summary, description string) alertRule {
	if strings.Contains(description, "%s") {
		description = fmt.Sprintf(description, forDuration)
	}
	return alertRule{
		Alert: name, Expr: expr, For: forDuration,
		Labels:      a.alertLabels(al.Labels, nil),
		Annotations: map[string]string{"summary": fmt.Sprintf(summary, a.namespace+"/"+a.name), "description": description},
	}
}

// alertLabels name the app, its namespace and its owner team, over the platform's own labels.
func (a *app) alertLabels(platform, extra map[string]string) map[string]string {
	l := make(map[string]string, len(platform)+len(extra)+3)
	maps.Copy(l, platform)
	maps.Copy(l, extra)
	l["app"], l["namespace"] = a.name, a.namespace
	if a.spec.CMDB != nil {
		l["team"] = a.spec.CMDB.OwnerTeam
	}
	return l
}

// burnRate is one multi-window, multi-burn-rate alert of the Site Reliability Workbook (chapter
// "Alerting on SLOs"): it fires when both windows burn the error budget faster than budgetShare
// of it would be spent in the long window.
type burnRate struct {
	long, short time.Duration
	budgetShare string
	severity    string
}

// burnRates are the workbook's recommended four: 2% of the budget in an hour or 5% in six pages
// someone; 10% in a day or in three days opens a ticket.
var burnRates = []burnRate{
	{long: time.Hour, short: 5 * time.Minute, budgetShare: "0.02", severity: "page"},
	{long: 6 * time.Hour, short: 30 * time.Minute, budgetShare: "0.05", severity: "page"},
	{long: 24 * time.Hour, short: 2 * time.Hour, budgetShare: "0.1", severity: "ticket"},
	{long: 72 * time.Hour, short: 6 * time.Hour, budgetShare: "0.1", severity: "ticket"},
}

// sloAlerts turn the app's SLO into burn-rate alerts through the platform's SLI templates; none
// without an SLO or without the SLI it needs (policy warns about that).
func (a *app) sloAlerts(sli *v1beta1.SLI) []alertRule {
	slo := a.spec.SLO
	if slo == nil || sli == nil {
		return nil
	}
	window := or(slo.Window, defaultSLOWindow)
	var rules []alertRule
	if sli.Errors != "" {
		rules = append(rules, a.burnRateAlerts("XAppErrorBudgetBurn", "availability", sli.Errors, slo.Availability, window, "")...)
	}
	if l := slo.Latency; l != nil && sli.Slow != "" {
		rules = append(rules, a.burnRateAlerts("XAppLatencyBudgetBurn", "latency", sli.Slow, l.Percent, window, thresholdSeconds(l.Threshold))...)
	}
	return rules
}

func (a *app) burnRateAlerts(name, objective, template, percent, window, threshold string) []alertRule {
	budget := errorBudget(percent)
	windowHours := int64(windowDuration(window) / time.Hour)
	r := strings.NewReplacer("{namespace}", a.namespace, "{name}", a.name, "{threshold}", threshold)
	ratio := func(d time.Duration) string {
		return "(" + strings.ReplaceAll(r.Replace(template), "{window}", promDuration(d)) + ")"
	}
	rules := make([]alertRule, 0, len(burnRates))
	for _, b := range burnRates {
		// The burn rate at which budgetShare of the whole window's budget goes in the long window.
		rate := new(big.Rat).Mul(rat(b.budgetShare), big.NewRat(windowHours, int64(b.long/time.Hour)))
		limit := decimal(new(big.Rat).Mul(rate, budget))
		rules = append(rules, alertRule{
			Alert: name,
			Expr:  ratio(b.long) + " > " + limit + " and " + ratio(b.short) + " > " + limit,
			Labels: a.alertLabels(platformAlertLabels(a.in.Monitoring), map[string]string{
				"severity": b.severity, "slo": objective, "long_window": promDuration(b.long),
			}),
			Annotations: map[string]string{
				"summary": fmt.Sprintf("App %s/%s is burning its %s error budget %sx too fast", a.namespace, a.name, objective, decimal(rate)),
				"description": fmt.Sprintf("At this rate %s of the %s budget of the %s%% %s objective goes in %s.",
					percentOf(b.budgetShare), window, percent, objective, promDuration(b.long)),
			},
		})
	}
	return rules
}

// platformAlertLabels are the labels the platform puts on every alert.
func platformAlertLabels(m *v1beta1.Monitoring) map[string]string {
	if m.Alerts == nil {
		return nil
	}
	return m.Alerts.Labels
}

// errorBudget is the share of requests an objective of percent lets fail: 99.9 leaves 0.001.
// Exact, so that thresholds read as the numbers a person would write.
func errorBudget(percent string) *big.Rat {
	p := rat(percent)
	return p.Sub(big.NewRat(1, 1), p.Quo(p, big.NewRat(100, 1)))
}

// rat reads a decimal the XRD's pattern has checked; zero for anything else.
func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return new(big.Rat)
	}
	return r
}

// decimal writes r without trailing zeros: 0.0144, 14.4, 1.
func decimal(r *big.Rat) string {
	s := strings.TrimRight(r.FloatString(8), "0")
	return strings.TrimSuffix(s, ".")
}

func percentOf(share string) string {
	return decimal(new(big.Rat).Mul(rat(share), big.NewRat(100, 1))) + "%"
}

// windowDuration is an SLO window the XRD allows (7d, 28d, 30d) as a duration.
func windowDuration(w string) time.Duration {
	var days int
	if _, err := fmt.Sscanf(w, "%dd", &days); err != nil || days < 1 {
		days = 30
	}
	return time.Duration(days) * 24 * time.Hour
}

// promDuration writes d as Prometheus writes durations: 5m, 6h, 1d, 3d.
func promDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	default:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
}

// thresholdSeconds is a latency threshold the XRD allows (300ms, 1.5s) in seconds, as histogram
// bucket boundaries (le) are written.
func thresholdSeconds(t string) string {
	if ms, ok := strings.CutSuffix(t, "ms"); ok {
		return decimal(new(big.Rat).Quo(rat(ms), big.NewRat(1000, 1)))
	}
	return decimal(rat(strings.TrimSuffix(t, "s")))
}

// or is s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
