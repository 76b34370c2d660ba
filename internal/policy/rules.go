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
		{
			Name:              "allowed-registries",
			Expression:        unset("params.spec.images.allowedRegistries") + ` || size(params.spec.images.allowedRegistries) == 0 || params.spec.images.allowedRegistries.exists(r, object.spec.image.startsWith(r + '/'))`,
			MessageExpression: `'spec.image: ' + object.spec.image + ' is not from a registry the platform allows (' + params.spec.images.allowedRegistries.join(', ') + ')'`,
		},
		{
			Name:              "pinned-by-digest",
			Expression:        unset("params.spec.images.pinning") + ` || params.spec.images.pinning != 'Digest' || object.spec.image.matches(` + reDigest + `)`,
			MessageExpression: `'spec.image: ' + object.spec.image + ' is not pinned by digest (image@sha256:...), which the platform requires'`,
		},
		{
			Name: "pinned-by-tag",
			Expression: unset("params.spec.images.pinning") + ` || params.spec.images.pinning != 'Tag' || object.spec.image.matches(` + reDigest + `) || ` +
				`(object.spec.image.matches(` + reTag + `) && !object.spec.image.endsWith(':latest'))`,
			MessageExpression: `'spec.image: ' + object.spec.image + ' has no version tag or uses latest; the platform requires a version tag or a digest'`,
		},
	}
	rules = append(rules,
		resourceCap("cpu-request-cap", "spec.resources.cpu", "maxCPU"),
		resourceCap("cpu-limit-cap", "spec.resources.limits.cpu", "maxCPU"),
		resourceCap("memory-request-cap", "spec.resources.memory", "maxMemory"),
		resourceCap("memory-limit-cap", "spec.resources.limits.memory", "maxMemory"),
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
			Expression: unset("params.spec.probes") + ` || !params.spec.probes.readinessRequired || (` + present("object.spec.probes.readiness") +
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

// resourceCap holds one of the app's quantities to one of the policy's caps. Quantities may be
// written as numbers (`cpu: 2`), so both sides go through string() into quantity().
func resourceCap(name, field, capField string) Rule {
	limit := "params.spec.resources." + capField
	return Rule{
		Name: name,
		Expression: unset(limit) + ` || !` + present("object."+field) + ` || ` +
			`quantity(string(object.` + field + `)).compareTo(quantity(string(` + limit + `))) <= 0`,
		MessageExpression: `'` + field + `: ' + string(object.` + field + `) + ' is above the platform\'s cap of ' + string(` + limit + `) + ' (resources.` + capField + `)'`,
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
