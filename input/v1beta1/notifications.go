package v1beta1

// Notifications announce every finished rollout of an app, through provider-cmdb's
// Notification: one per rollout and target, delivered once.
type Notifications struct {
	// Targets are the webhooks rollouts are announced to. An app is announced to every target
	// that applies to it.
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	Targets []NotificationTarget `json:"targets"`

	// Keep is how many of an app's latest announced revisions stay composed. An older one is
	// deleted (which recalls nothing); keeping it composed is what stops it being sent again.
	// +kubebuilder:default=5
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=50
	// +optional
	Keep int32 `json:"keep,omitempty"`
}

// NotificationTarget is one webhook and the apps announced to it.
// +kubebuilder:validation:XValidation:rule="has(self.url) != has(self.urlSecretRef)",message="set exactly one of url and urlSecretRef"
type NotificationTarget struct {
	// Name of the target, part of each Notification's name: `<app>-deploy-<revision>-<name>`.
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$`
	Name string `json:"name"`

	// Namespaces whose apps are announced here.
	// +optional
	Namespaces []string `json:"namespaces,omitempty"`

	// Teams whose apps (by the app's cmdb.ownerTeam) are announced here. A target naming neither
	// namespaces nor teams announces every app.
	// +optional
	Teams []string `json:"teams,omitempty"`

	// Format of the payload: CloudEvents, Slack or Teams.
	// +kubebuilder:validation:Enum=CloudEvents;Slack;Teams
	// +kubebuilder:default=CloudEvents
	// +optional
	Format string `json:"format,omitempty"`

	// URL of the webhook.
	// +kubebuilder:validation:Pattern=`^https?://`
	// +optional
	URL string `json:"url,omitempty"`

	// URLSecretRef names a key of a Secret holding the URL, in the app's namespace.
	// +optional
	URLSecretRef *SecretKeyRef `json:"urlSecretRef,omitempty"`

	// SigningSecretRef names a key of a Secret, in the app's namespace, holding the HMAC-SHA256
	// key that signs each payload.
	// +optional
	SigningSecretRef *SecretKeyRef `json:"signingSecretRef,omitempty"`
}

// SecretKeyRef names a key of a Secret in the app's namespace.
type SecretKeyRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}
