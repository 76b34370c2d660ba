package fn

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
)

func TestPolicy(t *testing.T) {
	images := func(p v1beta1.ImagePolicy) inputMod { return func(in *v1beta1.Input) { in.Images = &p } }
	cases := map[string]struct {
		reason string
		in     []inputMod
		mods   []specMod
		want   verdict
	}{
		"Pinned": {reason: "A tagged image from anywhere passes the default policy."},
		"LatestWarns": {
			reason: "latest is allowed by default but warned about.",
			mods:   []specMod{withImage("nginx:latest")},
			want:   verdict{warnings: []string{"spec.image: nginx:latest has no version tag or uses latest: the running version is unknown and rollbacks may not roll back"}},
		},
		"NoTagWarns": {
			reason: "No tag means latest.",
			mods:   []specMod{withImage("ghcr.io/acme/shop")},
			want:   verdict{warnings: []string{"spec.image: ghcr.io/acme/shop has no version tag or uses latest: the running version is unknown and rollbacks may not roll back"}},
		},
		"PortInRegistryHostIsNoTag": {
			reason: "A registry port is not a tag.",
			in:     []inputMod{images(v1beta1.ImagePolicy{Pinning: v1beta1.PinningTag})},
			mods:   []specMod{withImage("registry.local:5000/shop")},
			want:   verdict{errs: []string{"spec.image: Forbidden: the platform requires a version tag other than latest, or a digest"}},
		},
		"DigestRequired": {
			reason: "A platform that requires digests refuses tags.",
			in:     []inputMod{images(v1beta1.ImagePolicy{Pinning: v1beta1.PinningDigest})},
			want:   verdict{errs: []string{"spec.image: Forbidden: the platform requires an image pinned by digest (image@sha256:…)"}},
		},
		"DigestGiven": {
			reason: "A digest satisfies every pinning level.",
			in:     []inputMod{images(v1beta1.ImagePolicy{Pinning: v1beta1.PinningDigest})},
			mods:   []specMod{withImage("ghcr.io/acme/shop@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")},
		},
		"RegistryAllowed": {
			reason: "A repository prefix allows what is under it; docker.io means Docker Hub however it is spelt.",
			in:     []inputMod{images(v1beta1.ImagePolicy{AllowedRegistries: []string{"docker.io", "ghcr.io/acme/"}})},
		},
		"RegistryPrefixOnSegments": {
			reason: "ghcr.io/acme does not allow ghcr.io/acme-evil.",
			in:     []inputMod{images(v1beta1.ImagePolicy{AllowedRegistries: []string{"ghcr.io/acme", "index.docker.io"}})},
			mods:   []specMod{withImage("ghcr.io/acme-evil/shop:1")},
			want:   verdict{errs: []string{"spec.image: Forbidden: ghcr.io/acme-evil/shop is not from a registry the platform allows (ghcr.io/acme, index.docker.io)"}},
		},
		"DockerHubShortName": {
			reason: "A short name is a Docker Hub image.",
			in:     []inputMod{images(v1beta1.ImagePolicy{AllowedRegistries: []string{"docker.io"}})},
			mods:   []specMod{withImage("nginx:1.27")},
		},
		"RouteNeedsHostOrDomain": {
			reason: "Without a platform domain a route must name its host.",
			in:     []inputMod{withGateway(), func(in *v1beta1.Input) { in.Domain = "" }},
			mods:   []specMod{withPorts(exposedPort(http("http", 80))), withRoute(&v1alpha1.Route{})},
			want:   verdict{errs: []string{"spec.route.host: Required value: the platform sets no default domain, so the route needs a host"}},
		},
		"RouteDomain": {
			reason: "Hosts must be under an allowed domain, on label boundaries.",
			in:     []inputMod{withGateway(), func(in *v1beta1.Input) { in.AllowedDomains = []string{"example.com"} }},
			mods:   []specMod{withPorts(exposedPort(http("http", 80))), withRoute(&v1alpha1.Route{Host: "shop.notexample.com"})},
			want:   verdict{errs: []string{"spec.route.host: Forbidden: host shop.notexample.com is outside the platform's allowed domains (example.com)"}},
		},
		"RouteDomainDefault": {
			reason: "A platform that lists no allowed domains allows hosts under its own domain only: no team claims any host.",
			in:     []inputMod{withGateway()},
			mods:   []specMod{withPorts(exposedPort(http("http", 80))), withRoute(&v1alpha1.Route{Host: "shop.evil.example.org"})},
			want:   verdict{errs: []string{"spec.route.host: Forbidden: host shop.evil.example.org is outside the platform's allowed domains (apps.example.com)"}},
		},
		"RouteUnderDefaultDomain": {
			reason: "A host under the platform's domain is allowed without a list.",
			in:     []inputMod{withGateway()},
			mods:   []specMod{withPorts(exposedPort(http("http", 80))), withRoute(&v1alpha1.Route{Host: "shop.apps.example.com"})},
		},
		"RouteNoGateway": {
			reason: "Routes need a gateway.",
			in:     []inputMod{func(in *v1beta1.Input) { in.Domain = "example.com" }},
			mods:   []specMod{withPorts(exposedPort(http("http", 80))), withRoute(&v1alpha1.Route{})},
			want:   verdict{errs: []string{"spec.route: Forbidden: the platform has no gateway configured to attach routes to"}},
		},
		"MetricsWithoutMonitoring": {
			reason: "Metrics on a platform that scrapes nothing compose, with a warning that nobody reads them.",
			mods:   []specMod{withMetrics()},
			want:   verdict{warnings: []string{"spec.metrics: the platform has no monitoring configured: nothing scrapes the app's metrics"}},
		},
		"PrometheusNowhere": {
			reason: "A platform that scrapes but does not say where Prometheus runs would have the app's own policy keep it out: said.",
			in:     []inputMod{withMonitoring(&v1beta1.Monitoring{})},
			mods:   []specMod{withMetrics()},
			want:   verdict{warnings: []string{"spec.metrics: the platform does not say where its Prometheus runs, so the app's network policy keeps it from scraping the metrics port"}},
		},
		"SLOWithoutSLIs": {
			reason: "An SLO the platform has no SLI for raises no alert: the developer is told, for each objective.",
			in:     []inputMod{withMonitoring(&v1beta1.Monitoring{SLI: &v1beta1.SLI{Errors: "e"}})},
			mods:   []specMod{withSLO(&v1alpha1.SLO{Availability: "99.9", Latency: &v1alpha1.LatencyObjective{Threshold: "1s", Percent: "99"}})},
			want:   verdict{warnings: []string{"spec.slo.latency: the platform defines no latency SLI: the objective raises no alerts"}},
		},
		"ExposedWithoutRoute": {
			reason: "Exposing a port without a route is probably a mistake.",
			mods:   []specMod{withPorts(exposedPort(http("http", 80)))},
			want:   verdict{warnings: []string{"spec.ports: port http is exposed but the app has no route, so the gateway sends it no traffic"}},
		},
		"CMDBWithoutPlatform": {
			reason: "Registration needs a platform CMDB.",
			mods:   []specMod{withCMDB(&v1alpha1.CMDB{OwnerTeam: "Shop"})},
			want:   verdict{errs: []string{"spec.cmdb: Forbidden: the platform has no CMDB configured to register apps in"}},
		},
		"CMDBRequired": {
			reason: "A platform may require every app to name its owner.",
			in:     []inputMod{withPlatformCMDB(&v1beta1.CMDB{Required: true, ProviderConfigRef: v1beta1.ProviderConfigRef{Name: "sn"}})},
			want:   verdict{errs: []string{"spec.cmdb: Required value: the platform requires every app to be registered in the CMDB with its owner team"}},
		},
		"MultiClusterWithoutMechanism": {
			reason: "A global service needs the platform's cluster mesh.",
			mods:   []specMod{func(s *v1alpha1.XAppSpec) { s.MultiCluster = &v1alpha1.MultiCluster{Global: true} }},
			want:   verdict{errs: []string{"spec.multiCluster: Forbidden: the platform has no multi-cluster mechanism configured"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, verdictOf(policy(testApp(t, tc.in, tc.mods...))), cmp.AllowUnexported(verdict{})); diff != "" {
				t.Errorf("%s\npolicy(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
