package policy

import (
	"context"
	"fmt"
	"strings"

	celgo "github.com/google/cel-go/cel"
	celtypes "github.com/google/cel-go/common/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/cel/environment"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

const (
	errCompile    = "cannot compile the policy's rules"
	errEvaluate   = "cannot evaluate the policy's rules"
	errRule       = "rule %s"
	errPolicySpec = "cannot read the XAppPolicy's spec"
)

// An Evaluator judges apps by the rule table the way the API server's ValidatingAdmissionPolicy
// plugin does: the same base environment and libraries, the same variable declarations and
// activation, the same composition of variables, the same message fallbacks.
type Evaluator struct {
	validations plugincel.ConditionEvaluator
	messages    plugincel.ConditionEvaluator
}

// NewEvaluator compiles the rule table once; compiling is the expensive part.
func NewEvaluator() (*Evaluator, error) {
	env, err := plugincel.NewCompositionEnv(plugincel.VariablesTypeName, environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()))
	if err != nil {
		return nil, errors.Wrap(err, errCompile)
	}
	c := plugincel.NewCompositedCompilerFromTemplate(env)
	withAuthz := plugincel.OptionalVariableDeclarations{HasParams: true, HasAuthorizer: true}
	vars := make([]plugincel.NamedExpressionAccessor, len(Variables))
	for i, v := range Variables {
		vars[i] = &expression{name: v.Name, expr: v.Expression, returns: []*celgo.Type{celgo.AnyType, celgo.DynType}}
	}
	c.CompileAndStoreVariables(vars, withAuthz, environment.StoredExpressions)
	rules := Rules()
	checks, msgs := make([]plugincel.ExpressionAccessor, len(rules)), make([]plugincel.ExpressionAccessor, len(rules))
	for i, r := range rules {
		checks[i] = &expression{name: r.Name, expr: r.Expression, returns: []*celgo.Type{celgo.BoolType}}
		msgs[i] = &expression{name: r.Name, expr: r.MessageExpression, returns: []*celgo.Type{celgo.StringType}}
	}
	e := &Evaluator{
		validations: c.CompileCondition(checks, withAuthz, environment.StoredExpressions),
		messages:    c.CompileCondition(msgs, plugincel.OptionalVariableDeclarations{HasParams: true}, environment.StoredExpressions),
	}
	if errs := append(e.validations.CompilationErrors(), e.messages.CompilationErrors()...); len(errs) > 0 {
		return nil, errors.Wrap(errors.Join(errs...), errCompile)
	}
	return e, nil
}

// A Failure is one rule an app breaks.
type Failure struct {
	Rule    string
	Message string
}

// Evaluate returns the rules app breaks under policy in namespace ns, in table order. An
// expression that cannot be evaluated is an error: the API server would refuse the app
// (failurePolicy Fail) with a message no rule wrote.
func (e *Evaluator) Evaluate(ctx context.Context, app, policy *unstructured.Unstructured, ns *corev1.Namespace) ([]Failure, error) {
	gvk := app.GroupVersionKind()
	gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: resourceOf(gvk.Kind)}
	attrs := admission.NewAttributesRecord(app, nil, gvk, app.GetNamespace(), app.GetName(), gvr, "", admission.Create, &metav1.CreateOptions{}, false, nil)
	va := &admission.VersionedAttributes{Attributes: attrs, VersionedObject: app, VersionedKind: gvk}
	req := plugincel.CreateAdmissionRequest(attrs, metav1.GroupVersionResource(gvr), metav1.GroupVersionKind(gvk))
	nsObj := plugincel.CreateNamespaceObject(ns)

	checks, left, err := e.validations.ForInput(ctx, va, req, plugincel.OptionalVariableBindings{VersionedParams: policy}, nsObj, celconfig.RuntimeCELCostBudget)
	if err != nil {
		return nil, errors.Wrap(err, errEvaluate)
	}
	msgs, _, _ := e.messages.ForInput(ctx, va, req, plugincel.OptionalVariableBindings{VersionedParams: policy}, nsObj, left)
	fs := make([]Failure, 0, len(checks))
	for i, c := range checks {
		x := c.ExpressionAccessor.(*expression)
		switch {
		case c.Error != nil:
			return nil, errors.Wrapf(c.Error, errRule, x.name)
		case c.EvalResult == celtypes.True:
			continue
		}
		fs = append(fs, Failure{Rule: x.name, Message: message(msgs, i, x.expr)})
	}
	return fs, nil
}

// message is what the API server says of a failed rule: its messageExpression's result, else
// `failed expression: ...` (the rules set no static message).
func message(msgs []plugincel.EvaluationResult, i int, expr string) string {
	if i < len(msgs) && msgs[i].Error == nil && msgs[i].EvalResult != nil {
		if m, ok := msgs[i].EvalResult.Value().(string); ok {
			m = strings.TrimSpace(m)
			if m != "" && len(m) <= celconfig.MaxEvaluatedMessageExpressionSizeBytes && !strings.Contains(m, "\n") {
				return m
			}
		}
	}
	return fmt.Sprintf("failed expression: %v", strings.TrimSpace(expr))
}

// resourceOf is the resource the policy matches for each kind it checks.
func resourceOf(kind string) string {
	if kind == v1alpha1.AppKind {
		return "apps"
	}
	return "xapps"
}

// expression is a rule's expression, message expression or variable, as the CEL compiler takes it.
type expression struct {
	name, expr string
	returns    []*celgo.Type
}

func (x *expression) GetExpression() string      { return x.expr }
func (x *expression) ReturnTypes() []*celgo.Type { return x.returns }
func (x *expression) GetName() string            { return x.name }

var _ plugincel.NamedExpressionAccessor = &expression{}

// AdmissionPolicyName is the name of the ValidatingAdmissionPolicy composed from an XAppPolicy: one
// per XAppPolicy, with one binding per environment.
func AdmissionPolicyName(policy string) string { return "xapppolicy-" + policy }

// BindingName is the name of the binding of one environment of a policy.
func BindingName(policy, environment string) string {
	return "xapppolicy-" + policy + "-" + environment
}

// A Verdict is what one environment's binding makes of an app.
type Verdict struct {
	Binding string
	// Action is Deny or Warn.
	Action string
	// Signatures is what the environment does with unsigned images (Enforce, Warn), "" when it
	// does not check them.
	Signatures string
	Failures   []Failure
}

// Judge evaluates app under every environment of policy that selects ns, as the API server does
// through the environments' bindings. An app in no environment gets no verdict.
func (e *Evaluator) Judge(ctx context.Context, app, policy *unstructured.Unstructured, ns *corev1.Namespace) ([]Verdict, error) {
	m, _, err := unstructured.NestedMap(policy.Object, "spec")
	if err != nil {
		return nil, errors.Wrap(err, errPolicySpec)
	}
	spec := &v1alpha1.XAppPolicySpec{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, spec); err != nil {
		return nil, errors.Wrap(err, errPolicySpec)
	}
	vs := make([]Verdict, 0, len(spec.Environments))
	for _, env := range spec.Environments {
		if !labels.SelectorFromSet(env.NamespaceLabels).Matches(labels.Set(ns.Labels)) {
			continue
		}
		fs, err := e.Evaluate(ctx, app, policy, ns)
		if err != nil {
			return nil, err
		}
		vs = append(vs, Verdict{Binding: BindingName(policy.GetName(), env.Name), Action: env.Action, Signatures: env.Signatures, Failures: fs})
	}
	return vs, nil
}
