// Package notification delivers Notifications to webhooks, once each.
//
// What "once" means, precisely: the receiver's 2xx answer is recorded in the object's
// annotations (external name = delivery id, AnnotationDelivery = the answer) by
// crossplane-runtime's critical-annotation write right after Create returns; Observe reads
// them, so no later reconcile, poll or provider restart sends again. Before that answer,
// delivery is at-least-once: a timeout or a lost answer is retried, with the same delivery id
// (CloudEvents id, X-Xapp-Delivery header) so a receiver can drop what it already has. The
// window between the receiver's answer and the annotation write (a provider crash, an API
// server outage) is at-most-once: the reconciler finds external-create-pending without a
// result and stops with "cannot determine creation result" rather than resending, because a
// duplicate announcement in a chat channel cannot be taken back, while a missing one can be
// resent by removing that annotation.
package notification

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/provider/internal/clients/webhook"
	"github.com/xapp-dev/xapp/provider/internal/controller/config"
)

// AnnotationDelivery holds the receiver's answer (NotificationObservation as JSON). It is an
// annotation, not status, because crossplane-runtime persists annotations, and only
// annotations, reliably right after Create.
const AnnotationDelivery = "cmdb.m.xapp.dev/delivery"

const (
	errGetRef     = "cannot get Secret %s for %s"
	errRefKey     = "%s: Secret %s has no key %q"
	errPayload    = "cannot build the payload"
	errAnnotation = "cannot record the delivery"

	reasonPending xpv2.ConditionReason = "Pending"
)

// Options tune delivery; the zero value is what the provider runs with.
type Options struct {
	// Backoff is the first wait between attempts (default 1s); it doubles after each.
	Backoff time.Duration
	// MaxWait caps one wait, Retry-After included (default 30s).
	MaxWait time.Duration
	// Timeout overrides spec.forProvider.timeoutSeconds when not zero.
	Timeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Setup adds the Notification controller.
func Setup(mgr ctrl.Manager, o controller.Options) error {
	return config.SetupManaged(mgr, o, resource.ManagedKind(v1alpha1.NotificationGroupVersionKind), Kind(Options{}))
}

// Kind is how the managed reconciler delivers a Notification. No ProviderConfig is read: the
// receiver and its secrets are named by the Notification itself.
func Kind(o Options) config.Kind[*v1alpha1.Notification] {
	if o.Backoff == 0 {
		o.Backoff = time.Second
	}
	if o.MaxWait == 0 {
		o.MaxWait = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return config.Kind[*v1alpha1.Notification]{
		Object:              &v1alpha1.Notification{},
		CreateNotIdempotent: true,
		Connector: func(c *config.Connector) managed.TypedExternalConnector[*v1alpha1.Notification] {
			return &connector{kube: c.Kube, o: o}
		},
	}
}

type connector struct {
	kube client.Reader
	o    Options
}

// Connect implements managed.TypedExternalConnector.
func (c *connector) Connect(_ context.Context, _ *v1alpha1.Notification) (managed.TypedExternalClient[*v1alpha1.Notification], error) {
	return &external{kube: c.kube, o: c.o}, nil
}

type external struct {
	kube client.Reader
	o    Options
}

// Observe implements managed.TypedExternalClient. A notification exists once delivered.
func (e *external) Observe(_ context.Context, cr *v1alpha1.Notification) (managed.ExternalObservation, error) {
	if meta.WasDeleted(cr) {
		return managed.ExternalObservation{ResourceExists: false}, nil // nothing to recall
	}
	id := meta.GetExternalName(cr)
	if id == "" {
		cr.SetConditions(xpv2.Condition{Type: v1alpha1.ConditionDelivered, Status: corev1.ConditionFalse,
			Reason: reasonPending, Message: "not delivered yet", LastTransitionTime: metav1.Now()})
		return managed.ExternalObservation{ResourceExists: false}, nil
	}
	obs := v1alpha1.NotificationObservation{}
	// A hand-edited, unreadable record still means delivered: the id alone says so.
	_ = json.Unmarshal([]byte(cr.GetAnnotations()[AnnotationDelivery]), &obs)
	obs.DeliveryID = id
	cr.Status.AtProvider = obs
	cr.SetConditions(xpv2.Available(), Delivered(obs))
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
}

// Delivered is the Delivered condition of an accepted notification.
func Delivered(obs v1alpha1.NotificationObservation) xpv2.Condition {
	msg := "receiver accepted it"
	if obs.StatusCode != 0 {
		msg = fmt.Sprintf("receiver answered %d %s", obs.StatusCode, http.StatusText(int(obs.StatusCode)))
	}
	if obs.Body != "" {
		msg += ": " + obs.Body
	}
	return xpv2.Condition{Type: v1alpha1.ConditionDelivered, Status: corev1.ConditionTrue, Reason: v1alpha1.ReasonAccepted,
		Message: msg, LastTransitionTime: metav1.Now()}
}

// Create implements managed.TypedExternalClient: it delivers the notification.
func (e *external) Create(ctx context.Context, cr *v1alpha1.Notification) (managed.ExternalCreation, error) {
	p := cr.Spec.ForProvider
	req, err := e.request(ctx, cr)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	timeout := time.Duration(ptrOr(p.TimeoutSeconds, 10)) * time.Second
	if e.o.Timeout != 0 {
		timeout = e.o.Timeout
	}
	hc := &http.Client{Timeout: timeout}
	defer hc.CloseIdleConnections()
	s := &webhook.Sender{HTTP: hc, MaxAttempts: int(ptrOr(p.MaxAttempts, 4)), Backoff: e.o.Backoff, MaxWait: e.o.MaxWait}
	a, err := s.Send(ctx, req)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	at := metav1.NewTime(e.o.Now().UTC().Truncate(time.Second))
	rec, err := json.Marshal(v1alpha1.NotificationObservation{StatusCode: int32(a.StatusCode), Body: a.Body, DeliveredAt: &at, Attempts: int32(a.Attempts)})
	if err != nil {
		return managed.ExternalCreation{}, errors.Wrap(err, errAnnotation)
	}
	meta.SetExternalName(cr, req.DeliveryID)
	meta.AddAnnotations(cr, map[string]string{AnnotationDelivery: string(rec)})
	return managed.ExternalCreation{}, nil
}

// request builds the delivery: URL and key from Secrets, the payload in its format. The
// delivery id is the object's UID, so every attempt, across restarts, carries the same id.
func (e *external) request(ctx context.Context, cr *v1alpha1.Notification) (webhook.Request, error) {
	p := cr.Spec.ForProvider
	r := webhook.Request{DeliveryID: string(cr.GetUID())}
	if p.URL != nil {
		r.URL = *p.URL
	}
	if p.URLSecretRef != nil {
		u, err := e.secret(ctx, cr.GetNamespace(), "spec.forProvider.urlSecretRef", *p.URLSecretRef)
		if err != nil {
			return r, err
		}
		r.URL = string(u)
	}
	if p.SigningSecretRef != nil {
		k, err := e.secret(ctx, cr.GetNamespace(), "spec.forProvider.signingSecretRef", *p.SigningSecretRef)
		if err != nil {
			return r, err
		}
		r.SigningKey = k
	}
	var err error
	if r.Body, r.ContentType, err = webhook.Payload(p.Format, r.DeliveryID, e.o.Now(), p.Event); err != nil {
		return r, errors.Wrap(err, errPayload)
	}
	return r, nil
}

func (e *external) secret(ctx context.Context, ns, field string, ref xpv2.LocalSecretKeySelector) ([]byte, error) {
	s := &corev1.Secret{}
	if err := e.kube.Get(ctx, types.NamespacedName{Namespace: ns, Name: ref.Name}, s); err != nil {
		return nil, errors.Wrapf(err, errGetRef, ref.Name, field)
	}
	v, ok := s.Data[ref.Key]
	if !ok {
		return nil, errors.Errorf(errRefKey, field, ref.Name, ref.Key)
	}
	return v, nil
}

// Update implements managed.TypedExternalClient. A delivered notification is never out of date.
func (e *external) Update(context.Context, *v1alpha1.Notification) (managed.ExternalUpdate, error) {
	return managed.ExternalUpdate{}, nil
}

// Delete implements managed.TypedExternalClient. A delivered message cannot be recalled.
func (e *external) Delete(context.Context, *v1alpha1.Notification) (managed.ExternalDelete, error) {
	return managed.ExternalDelete{}, nil
}

// Disconnect implements managed.TypedExternalClient.
func (e *external) Disconnect(context.Context) error { return nil }

func ptrOr(p *int32, d int32) int32 {
	if p == nil {
		return d
	}
	return *p
}
