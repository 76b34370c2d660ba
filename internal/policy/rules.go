// Package policy is the platform's rule table for apps, written once in CEL: the API server enforces
// it through the ValidatingAdmissionPolicy function-xapp composes from an XAppPolicy, and function-xapp
// evaluates the very same expressions with the API server's own CEL compiler and libraries when it
// composes an app. Verdict and message are therefore the same at admission and at composition by
// construction, not by keeping two implementations in step.
//
// Expressions see what a ValidatingAdmissionPolicy sees: `object` is the XApp (or App claim),
// `params` the XAppPolicy, `namespaceObject` the app's namespace and `variables` the Variables below.
package policy

import (
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

// A Rule is one of the platform's rules: the app passes when Expression is true; otherwise
// MessageExpression says why, naming the field first.
type Rule struct {
	// Name identifies the rule in docs and tests.
	Name string
	// Expression is true when the app keeps the rule, including when the policy does not set it.
	Expression string
	// MessageExpression is the message when it does not.
	MessageExpression string
}

// Variables are computed once per app and shared by the rules that need them.
var Variables = []admissionregistrationv1.Variable{
	// environments are the policy's environments the app's namespace belongs to: it carries all of
	// an environment's namespaceLabels, exactly as the environment's binding selects it.
	{Name: "environments", Expression: `has(params.spec.environments) && has(namespaceObject.metadata.labels) ? ` +
		`params.spec.environments.filter(e, e.namespaceLabels.all(k, k in namespaceObject.metadata.labels && namespaceObject.metadata.labels[k] == e.namespaceLabels[k])) : []`},
	// replicas is the least the app runs when it says so; -1 when it leaves it to the platform.
	{Name: "replicas", Expression: `has(object.spec.autoscaling) ? object.spec.autoscaling.min : (has(object.spec.replicas) ? object.spec.replicas : -1)`},
	{Name: "replicasField", Expression: `has(object.spec.autoscaling) ? 'spec.autoscaling.min' : 'spec.replicas'`},
	// containers are the resources of every container the app runs, its own first, then its init
	// containers and sidecars; containerPaths their fields and images their images, in that order.
	{Name: "containers", Expression: `[has(object.spec.resources) ? object.spec.resources : {}] + ` +
		`(has(object.spec.initContainers) ? object.spec.initContainers.map(c, has(c.resources) ? c.resources : {}) : []) + ` +
		`(has(object.spec.sidecars) ? object.spec.sidecars.map(c, has(c.resources) ? c.resources : {}) : [])`},
	{Name: "containerPaths", Expression: `['spec'] + ` +
		`(has(object.spec.initContainers) ? object.spec.initContainers.transformList(i, c, 'spec.initContainers[' + string(i) + ']') : []) + ` +
		`(has(object.spec.sidecars) ? object.spec.sidecars.transformList(i, c, 'spec.sidecars[' + string(i) + ']') : [])`},
	{Name: "images", Expression: `[object.spec.image] + ` +
		`(has(object.spec.initContainers) ? object.spec.initContainers.map(c, c.image) : []) + ` +
		`(has(object.spec.sidecars) ? object.spec.sidecars.map(c, c.image) : [])`},
	// tooFew are the environments whose minimum the app's replicas fall short of.
	{Name: "tooFew", Expression: `variables.environments.filter(e, has(e.minReplicas) && variables.replicas >= 0 && variables.replicas < e.minReplicas)`},
}

// crossplaneFields are the spec fields Crossplane writes on XApps and App claims; changing them
// is Crossplane's bookkeeping, not a change to the app.
const crossplaneFields = `['crossplane', 'compositionRef', 'compositionSelector', 'compositionRevisionRef', ` +
	`'compositionRevisionSelector', 'compositionUpdatePolicy', 'compositeDeletePolicy', 'resourceRef', ` +
	`'writeConnectionSecretToRef', 'publishConnectionDetailsTo']`

// MatchConditions limit admission to new apps and to updates of what a developer wrote: the spec
// apart from Crossplane's fields, and the labels. An app admitted before a rule was tightened is not
// refused when Crossplane records its composed resources on it, which would stall its
// reconciliation; it is refused on its next change, and composition refuses it meanwhile. The Go
// path judges as on creation, where these are always true.
var MatchConditions = []admissionregistrationv1.MatchCondition{{
	Name: "developer-change",
	Expression: `request.operation != 'UPDATE' || ` +
		`object.spec.exists(k, !(k in ` + crossplaneFields + `) && (!(k in oldObject.spec) || object.spec[k] != oldObject.spec[k])) || ` +
		`oldObject.spec.exists(k, !(k in ` + crossplaneFields + `) && !(k in object.spec)) || ` +
		`(has(object.metadata.labels) ? object.metadata.labels : {}) != (has(oldObject.metadata.labels) ? oldObject.metadata.labels : {})`,
}}

// A tag is what follows the last colon after the last slash; a digest follows an @.
const (
	reDigest = `'@sha256:[0-9a-f]{64}$'`
	reTag    = `':[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'`
)

// Rules is the rule table, in the order admission reports them.
func Rules() []Rule {
	rules := []Rule{
		imageRule("allowed-registries", unset("params.spec.images.allowedRegistries")+` || size(params.spec.images.allowedRegistries) == 0`,
			`params.spec.images.allowedRegistries.exists(r, i.startsWith(r + '/'))`,
			`' is not from a registry the platform allows (' + params.spec.images.allowedRegistries.join(', ') + ')'`),
		imageRule("pinned-by-digest", unset("params.spec.images.pinning")+` || params.spec.images.pinning != 'Digest'`,
			`i.matches(`+reDigest+`)`,
			`' is not pinned by digest (image@sha256:...), which the platform requires'`),
		imageRule("pinned-by-tag", unset("params.spec.images.pinning")+` || params.spec.images.pinning != 'Tag'`,
			`(i.matches(`+reDigest+`) || (i.matches(`+reTag+`) && !i.endsWith(':latest')))`,
			`' has no version tag or uses latest; the platform requires a version tag or a digest'`),
		// policy-controller checks the signature of the digest a Pod runs and, given a tag, rewrites
		// the workload to the digest it resolved: the Deployment Crossplane applies would then differ
		// from the one stored, and what the app declares from what was verified. Pinned, the three
		// are one digest.
		imageRule("signed-images-pinned-by-digest", `!variables.environments.exists(e, has(e.signatures))`,
			`i.matches(`+reDigest+`)`,
			`' is not pinned by digest (image@sha256:...); environment ' + variables.environments.filter(e, has(e.signatures))[0].name + ' requires signed images, verified by digest'`),
	}
	rules = append(rules,
		resourceCap("cpu-request-cap", "cpu", "maxCPU"),
		resourceCap("cpu-limit-cap", "limits.cpu", "maxCPU"),
		resourceCap("memory-request-cap", "memory", "maxMemory"),
		resourceCap("memory-limit-cap", "limits.memory", "maxMemory"),
	)
	return append(rules,
		Rule{
			Name: "owner-required",
			Expression: unset("params.spec.owner") + ` || !params.spec.owner.required || ` + present("object.spec.cmdb.ownerTeam") + ` || ` +
				`(has(params.spec.owner.label) && has(object.metadata.labels) && params.spec.owner.label in object.metadata.labels && object.metadata.labels[params.spec.owner.label] != '')`,
			MessageExpression: `'spec.cmdb.ownerTeam: the platform requires every app to name its owner team' + ` +
				`(has(params.spec.owner.label) ? ' (or the label ' + params.spec.owner.label + ')' : '')`,
		},
		Rule{
			Name: "allowed-domains",
			Expression: unset("params.spec.allowedDomains") + ` || size(params.spec.allowedDomains) == 0 || !` + present("object.spec.route.host") + ` || ` +
				`params.spec.allowedDomains.exists(d, object.spec.route.host == d || object.spec.route.host.endsWith('.' + d))`,
			MessageExpression: `'spec.route.host: ' + object.spec.route.host + ' is outside the platform\'s allowed domains (' + params.spec.allowedDomains.join(', ') + ')'`,
		},
		Rule{
			Name: "readiness-probe-required",
			// A job serves nothing, so it has nothing to be ready for: its readiness is its run's.
			Expression: unset("params.spec.probes") + ` || !params.spec.probes.readinessRequired || ` + present("object.spec.job") + ` || (` + present("object.spec.probes.readiness") +
				` ? !(has(object.spec.probes.readiness.disabled) && object.spec.probes.readiness.disabled) : ` +
				`(has(object.spec.ports) && object.spec.ports.exists(p, !has(p.protocol) || p.protocol != 'udp')))`,
			MessageExpression: `'spec.probes.readiness: the platform requires a readiness probe: do not disable it, and set one or give the app an http, grpc or tcp port to probe'`,
		},
		podKeys("pod-label-prefixes", "labels", "allowedLabelPrefixes"),
		podKeys("pod-annotation-prefixes", "annotations", "allowedAnnotationPrefixes"),
		Rule{
			Name:       "min-replicas",
			Expression: `size(variables.tooFew) == 0`,
			MessageExpression: `variables.replicasField + ': ' + string(variables.replicas) + ' is below the minimum of ' + string(variables.tooFew[0].minReplicas) + ` +
				`' replicas in environment ' + variables.tooFew[0].name`,
		},
	)
}

// imageRule holds every image the app runs to ok (over `i`) unless off; the message names the first
// image that breaks it, by its field.
func imageRule(name, off, ok, why string) Rule {
	first := `variables.images.filter(i, !` + ok + `)[0]`
	return Rule{
		Name:              name,
		Expression:        off + ` || variables.images.all(i, ` + ok + `)`,
		MessageExpression: `variables.containerPaths[variables.images.indexOf(` + first + `)] + '.image: ' + ` + first + ` + ` + why,
	}
}

// resourceCap holds one quantity of every container the app runs (field, within its resources) to
// one of the policy's caps. Quantities may be written as numbers (`cpu: 2`), so both sides go
// through string() into quantity(). The message names the first container above the cap.
func resourceCap(name, field, capField string) Rule {
	limit := "params.spec.resources." + capField
	over := `(` + present("r."+field) + ` && quantity(string(r.` + field + `)).compareTo(quantity(string(` + limit + `))) > 0)`
	first := `variables.containers.filter(r, ` + over + `)[0]`
	return Rule{
		Name:       name,
		Expression: unset(limit) + ` || !variables.containers.exists(r, ` + over + `)`,
		MessageExpression: `variables.containerPaths[variables.containers.indexOf(` + first + `)] + '.resources.` + field + `: ' + string(` + first + `.` + field + `) + ` +
			`' is above the platform\'s cap of ' + string(` + limit + `) + ' (resources.` + capField + `)'`,
	}
}

// podKeys allows the app's pod labels or annotations only under the policy's prefixes. The message
// names the first offending key in order: maps have none, so it is the least of them.
func podKeys(name, what, prefixes string) Rule {
	allowed := "params.spec.podMetadata." + prefixes
	ok := `(has(` + allowed + `) && ` + allowed + `.exists(p, k.startsWith(p)))`
	keys := "object.spec.podMetadata." + what
	return Rule{
		Name:       name,
		Expression: unset("params.spec.podMetadata") + ` || !` + present(keys) + ` || ` + keys + `.all(k, ` + ok + `)`,
		MessageExpression: `'spec.podMetadata.` + what + `[' + ` + keys + `.filter(k, !` + ok + `).min() + ']: the platform allows pod ` + what +
			` only under the prefixes ' + (has(` + allowed + `) && size(` + allowed + `) > 0 ? ` + allowed + `.join(', ') : '(none)') + ' (podMetadata.` + prefixes + `)'`,
	}
}

// present is true when every field on path is set: `has(a.b) && has(a.b.c)`.
func present(path string) string {
	parts := strings.Split(path, ".")
	checks := make([]string, 0, len(parts)-1)
	for i := 2; i <= len(parts); i++ {
		checks = append(checks, "has("+strings.Join(parts[:i], ".")+")")
	}
	return "(" + strings.Join(checks, " && ") + ")"
}

// unset is true when a field on path is missing: the policy does not set the rule.
func unset(path string) string {
	return "!" + present(path)
}

// Validations are the rules as a ValidatingAdmissionPolicy's validations, in table order.
func Validations() []admissionregistrationv1.Validation {
	rules := Rules()
	vs := make([]admissionregistrationv1.Validation, len(rules))
	for i, r := range rules {
		vs[i] = admissionregistrationv1.Validation{Expression: r.Expression, MessageExpression: r.MessageExpression}
	}
	return vs
}
