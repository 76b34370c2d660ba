package fn

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Composition resource names of an app's monitoring.
const (
	ResourceServiceMonitor = "service-monitor"
	ResourcePrometheusRule = "prometheus-rule"
)

const (
	monitoringAPI      = "monitoring.coreos.com/v1"
	defaultMetricsPath = "/metrics"
)

// The ServiceMonitor fields the function composes (prometheus-operator; validated against its CRD in
// the render tests).
type serviceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              serviceMonitorSpec `json:"spec"`
}

type serviceMonitorSpec struct {
	Selector  metav1.LabelSelector `json:"selector"`
	Endpoints []monitorEndpoint    `json:"endpoints"`
}

type monitorEndpoint struct {
	Port     string `json:"port"`
	Path     string `json:"path"`
	Interval string `json:"interval,omitempty"`
}

// monitored says whether the app's metrics are scraped: it names its metrics port and the platform
// runs a Prometheus (its Input says how to reach it). Without the platform's monitoring the
// prometheus-operator's kinds may not even exist, and composing one would break the app.
func monitored(a *app) bool { return a.spec.Metrics != nil && a.in.Monitoring != nil }

// scrapeConfig lets the platform's Prometheus scrape the app's metrics port through its Service;
// nil when the app's metrics are not scraped. The metrics port is one of spec.ports (the XRD says
// so), and every declared port is on the app's Service, so a ServiceMonitor always finds it.
func scrapeConfig(a *app) *serviceMonitor {
	if !monitored(a) {
		return nil
	}
	path := a.spec.Metrics.Path
	if path == "" {
		path = defaultMetricsPath
	}
	return &serviceMonitor{
		TypeMeta:   metav1.TypeMeta{APIVersion: monitoringAPI, Kind: "ServiceMonitor"},
		ObjectMeta: a.monitoringMeta(a.name),
		Spec: serviceMonitorSpec{
			Selector:  metav1.LabelSelector{MatchLabels: a.selector},
			Endpoints: []monitorEndpoint{{Port: a.spec.Metrics.Port, Path: path, Interval: a.in.Monitoring.Interval}},
		},
	}
}

// monitoringMeta is objectMeta with the labels the platform's Prometheus selects monitoring objects
// by. The app's own labels win: a platform label cannot change which app an object belongs to.
func (a *app) monitoringMeta(name string) metav1.ObjectMeta {
	m := a.objectMeta(name)
	if len(a.in.Monitoring.Labels) == 0 {
		return m
	}
	labels := make(map[string]string, len(a.in.Monitoring.Labels)+len(m.Labels))
	maps.Copy(labels, a.in.Monitoring.Labels)
	maps.Copy(labels, m.Labels)
	m.Labels = labels
	return m
}

// scrapeRule lets the platform's Prometheus in to the app's metrics port, which the app's network
// policy would otherwise deny; none when the app is not scraped or the platform does not say where
// its Prometheus runs (policy warns then).
func scrapeRule(a *app) []netRule {
	if !monitored(a) || a.in.Monitoring.Prometheus == nil {
		return nil
	}
	pr := a.in.Monitoring.Prometheus
	for _, p := range a.spec.Ports {
		if p.Name == a.spec.Metrics.Port {
			return []netRule{{pods: &podsPeer{labels: pr.PodLabels, namespace: pr.Namespace}, ports: []netPort{{port: p.Port, protocol: corev1.ProtocolTCP}}}}
		}
	}
	return nil
}
