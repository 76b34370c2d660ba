package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// NotificationFormat is the shape of the payload a receiver expects.
// +kubebuilder:validation:Enum=CloudEvents;Slack;Teams
type NotificationFormat string

// Payload formats. CloudEvents is a CloudEvents 1.0 event in structured mode
// (application/cloudevents+json); Slack is an incoming-webhook message (text plus Block Kit
// blocks); Teams is a Workflows webhook message carrying an Adaptive Card.
const (
	FormatCloudEvents NotificationFormat = "CloudEvents"
	FormatSlack       NotificationFormat = "Slack"
	FormatTeams       NotificationFormat = "Teams"
)

// ConditionDelivered says whether the receiver accepted the notification, in its own words.
const ConditionDelivered xpv2.ConditionType = "Delivered"

// Reasons of the Delivered condition.
const (
	ReasonAccepted xpv2.ConditionReason = "Accepted"
)

// Fact is one name and value shown with a notification, e.g. revision 7.
type Fact struct {
	// Name of the fact, e.g. revision.
	Name string `json:"name"`
	// Value of the fact, e.g. 7.
	Value string `json:"value"`
}

// NotificationEvent is what is announced.
type NotificationEvent struct {
	// Type is the CloudEvents type, e.g. dev.xapp.deploy.succeeded.
	// +kubebuilder:validation:MinLength=1
	Type string `json:"type"`

	// Source is the CloudEvents source, a URI reference naming what the event is about,
	// e.g. /namespaces/shop/xapps/cart.
	// +kubebuilder:validation:MinLength=1
	Source string `json:"source"`

	// Subject is the CloudEvents subject, e.g. revision/7.
	// +optional
	Subject string `json:"subject,omitempty"`

	// Time the announced thing happened; the time of delivery when unset.
	// +optional
	Time *metav1.Time `json:"time,omitempty"`

	// Title is the one line a person reads first.
	// +kubebuilder:validation:MinLength=1
	Title string `json:"title"`

	// Text says more, in a sentence or two.
	// +optional
	Text string `json:"text,omitempty"`

	// Facts are shown as a list under the text, in this order, and are the CloudEvent's data.
	// +optional
	// +listType=atomic
	Facts []Fact `json:"facts,omitempty"`
}

// NotificationParameters say what to announce and to whom. They cannot change: a
// notification is sent once, and a changed one would be a different notification.
// +kubebuilder:validation:XValidation:rule="has(self.url) != has(self.urlSecretRef)",message="set exactly one of url and urlSecretRef"
type NotificationParameters struct {
	// URL of the receiver's webhook (http or https).
	// +optional
	// +kubebuilder:validation:Pattern=`^https?://`
	URL *string `json:"url,omitempty"`

	// URLSecretRef names a key of a Secret in the notification's namespace holding the URL,
	// for receivers whose URL is itself the credential (Slack and Teams webhooks).
	// +optional
	URLSecretRef *xpv2.LocalSecretKeySelector `json:"urlSecretRef,omitempty"`

	// Format of the payload.
	// +kubebuilder:default=CloudEvents
	// +optional
	Format NotificationFormat `json:"format,omitempty"`

	// SigningSecretRef names a key of a Secret in the notification's namespace holding an
	// HMAC-SHA256 key. When set, the request carries the signature of its exact body in
	// X-Xapp-Signature-256 as sha256=<hex>, so the receiver can tell it came from the platform.
	// +optional
	SigningSecretRef *xpv2.LocalSecretKeySelector `json:"signingSecretRef,omitempty"`

	// Event is what is announced.
	Event NotificationEvent `json:"event"`

	// MaxAttempts is how many requests one delivery makes before the reconcile fails and the
	// managed reconciler's backoff takes over. 5xx, 408, 429 and timeouts are retried.
	// +kubebuilder:default=4
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=10
	// +optional
	MaxAttempts *int32 `json:"maxAttempts,omitempty"`

	// TimeoutSeconds bounds each request.
	// +kubebuilder:default=10
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=60
	// +optional
	TimeoutSeconds *int32 `json:"timeoutSeconds,omitempty"`
}

// NotificationObservation is the receiver's answer to the delivery it accepted.
type NotificationObservation struct {
	// DeliveryID is the CloudEvents id and the X-Xapp-Delivery header of every attempt: the
	// same for retries, so a receiver can drop a duplicate.
	DeliveryID string `json:"deliveryId,omitempty"`

	// StatusCode is the HTTP status the receiver accepted the notification with.
	StatusCode int32 `json:"statusCode,omitempty"`

	// Body is the start of the receiver's answer.
	Body string `json:"body,omitempty"`

	// DeliveredAt is when the receiver accepted the notification.
	DeliveredAt *metav1.Time `json:"deliveredAt,omitempty"`

	// Attempts is how many requests the accepted delivery took.
	Attempts int32 `json:"attempts,omitempty"`
}

// A NotificationSpec defines the desired state of a Notification.
type NotificationSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="forProvider is immutable: a notification is sent once"
	ForProvider NotificationParameters `json:"forProvider"`
}

// A NotificationStatus represents the observed state of a Notification.
type NotificationStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`
	AtProvider                 NotificationObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true

// A Notification delivers one message to a webhook, once: a deploy announced to a chat
// channel or an event bus. Deleting it sends nothing and recalls nothing.
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="DELIVERED",type="string",JSONPath=".status.conditions[?(@.type=='Delivered')].status"
// +kubebuilder:printcolumn:name="FORMAT",type="string",JSONPath=".spec.forProvider.format"
// +kubebuilder:printcolumn:name="CODE",type="integer",JSONPath=".status.atProvider.statusCode"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,cmdb}
type Notification struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   NotificationSpec   `json:"spec"`
	Status NotificationStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// NotificationList contains a list of Notification.
type NotificationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Notification `json:"items"`
}
