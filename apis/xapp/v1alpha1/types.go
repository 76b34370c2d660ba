package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// XApp is an application: one image, its ports, configuration, scaling, probes and route. The platform
// turns it into a ServiceAccount, ConfigMap, Deployment, Service, HTTPRoute, autoscaler, disruption
// budget and network policy, and reports in status what a developer needs to know next.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,xapp-all}
// +kubebuilder:subresource:status
type XApp struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   XAppSpec   `json:"spec"`
	Status XAppStatus `json:"status,omitempty"`
}

// XAppSpec is what a developer asks for. Everything but the image has a default the platform chose.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.replicas) && has(self.autoscaling))",message="set either replicas or autoscaling, not both: the autoscaler owns the replica count"
// +kubebuilder:validation:XValidation:rule="!has(self.metrics) || (has(self.ports) && self.ports.exists(p, p.name == self.metrics.port))",message="metrics.port must name one of spec.ports"
// +kubebuilder:validation:XValidation:rule="!has(self.job) || !(has(self.ports) || has(self.route) || has(self.replicas) || has(self.autoscaling) || has(self.metrics) || has(self.slo) || has(self.multiCluster) || (has(self.probes) && has(self.probes.readiness)))",message="a job serves nothing and runs one pod at a time: ports, route, replicas, autoscaling, metrics, slo, multiCluster and probes.readiness are not allowed with job"
// +kubebuilder:validation:XValidation:rule="!has(self.route) || (has(self.ports) && self.ports.exists(p, has(p.expose) && p.expose && (!has(p.protocol) || p.protocol == 'http' || p.protocol == 'grpc')))",message="route needs a port with expose: true and protocol http or grpc"
// +kubebuilder:validation:XValidation:rule="!has(self.route) || !has(self.route.rules) || self.route.rules.all(r, !has(r.port) || (has(self.ports) && self.ports.exists(p, p.name == r.port && has(p.expose) && p.expose && (!has(p.protocol) || p.protocol == 'http'))))",message="route.rules[].port must name an exposed http port of spec.ports"
type XAppSpec struct {
	// Image to run, as a registry reference: `ghcr.io/acme/shop:1.4.2` or
	// `ghcr.io/acme/shop@sha256:…`. A tag of `latest` or no tag at all is allowed but warned about:
	// the running version is then unknown.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image"`

	// ImagePullSecrets name Secrets in the app's namespace holding credentials for its images'
	// registries, on top of those the platform names per registry.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:validation:items:MaxLength=253
	// +kubebuilder:validation:items:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	ImagePullSecrets []string `json:"imagePullSecrets,omitempty"`

	// ServiceAccountName runs the app under an existing ServiceAccount of its namespace instead of
	// one of its own, e.g. one an operator binds roles to. Refused unless the platform allows it, and
	// for an app with data services, whose cloud identity is bound to the app's own ServiceAccount.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// Command replaces the image's entrypoint.
	// +optional
	Command []string `json:"command,omitempty"`

	// Args replaces the image's default arguments.
	// +optional
	Args []string `json:"args,omitempty"`

	// InitContainers run one after another, each to completion, before the app starts: a database
	// migration, a download. They get the app's data-service variables (DATABASE_URL, ...).
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=8
	InitContainers []Container `json:"initContainers,omitempty"`

	// Sidecars run next to the app for as long as the pod does: a log shipper, a proxy. They start
	// before the app and stop after it (Kubernetes' native sidecars), under the same secure
	// defaults and image policy as the app.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=8
	Sidecars []Container `json:"sidecars,omitempty"`

	// Ports the app listens on. Every port is reachable in the cluster through the app's Service;
	// ports with `expose: true` are also reachable from the gateway. The first TCP port (http, grpc
	// or tcp) gets the default probes.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:XValidation:rule="self.all(p, self.exists_one(q, q.port == p.port && ((has(q.protocol) && q.protocol == 'udp') == (has(p.protocol) && p.protocol == 'udp'))))",message="each container port number may be used only once per transport (TCP, UDP)"
	// +kubebuilder:validation:XValidation:rule="self.all(p, self.exists_one(q, (has(q.servicePort) ? q.servicePort : q.port) == (has(p.servicePort) ? p.servicePort : p.port) && ((has(q.protocol) && q.protocol == 'udp') == (has(p.protocol) && p.protocol == 'udp'))))",message="each Service port number may be used only once per transport (TCP, UDP)"
	Ports []Port `json:"ports,omitempty"`

	// Env sets environment variables: plain values, or references to keys of Secrets and ConfigMaps in
	// the app's namespace.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=256
	Env []EnvVar `json:"env,omitempty"`

	// Files are small configuration files mounted read-only into the container. Changing one rolls
	// the pods.
	// +optional
	// +listType=map
	// +listMapKey=path
	// +kubebuilder:validation:MaxItems=32
	Files []File `json:"files,omitempty"`

	// Security loosens the secure defaults for an image built to run as root, as far as the
	// platform allows: a user and group to run as (never root), and capabilities to add back. The
	// container still never runs as root and never escalates privileges.
	// +optional
	Security *Security `json:"security,omitempty"`

	// PodMetadata are labels and annotations for the app's pods: mesh injection, scrape settings,
	// cost tags. Only keys under prefixes the platform allows are accepted, and never the platform's
	// own.
	// +optional
	PodMetadata *PodMetadata `json:"podMetadata,omitempty"`

	// Volumes mount writable scratch space, whole Secrets and ConfigMaps as files, and persistent
	// storage. An app with persistent storage runs one pod, replaced rather than rolled (its volume
	// can be attached to one node at a time): state that must scale belongs in a database.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=16
	Volumes []Volume `json:"volumes,omitempty"`

	// Resources the container requests and may not exceed. By default memory is limited to its
	// request and CPU is not limited, so the app is never throttled while the node has CPU to spare;
	// limits set here replace that within the platform's caps. Defaults come from the platform.
	// +optional
	Resources *Resources `json:"resources,omitempty"`

	// Replicas to run when autoscaling is not used. Defaults to the platform's default (usually 2).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	Replicas *int32 `json:"replicas,omitempty"`

	// Autoscaling scales the app between min and max replicas on CPU and/or memory utilisation (a
	// HorizontalPodAutoscaler), or on requests per second and queue length (a KEDA ScaledObject).
	// +optional
	Autoscaling *Autoscaling `json:"autoscaling,omitempty"`

	// Probes tell Kubernetes when the app is alive, ready for traffic and started. Without them the
	// platform probes the first port: readiness by HTTP GET (gRPC health for gRPC ports, TCP for
	// others), liveness and startup by TCP connect.
	// +optional
	Probes *Probes `json:"probes,omitempty"`

	// Metrics the app serves for the platform's Prometheus to scrape.
	// +optional
	Metrics *Metrics `json:"metrics,omitempty"`

	// SLO is the app's service level objective; on a platform that defines its SLIs it becomes
	// multi-window, multi-burn-rate alerts.
	// +optional
	SLO *SLO `json:"slo,omitempty"`

	// Route publishes the app's first exposed HTTP or gRPC port, or each of its rules' ports, through
	// the platform's gateway or ingress controller, whichever the platform routes with.
	// +optional
	Route *Route `json:"route,omitempty"`

	// Job runs the app to completion, once or on a schedule, instead of keeping it serving.
	// +optional
	Job *Job `json:"job,omitempty"`

	// DependsOn names the apps this app calls, as `name` (same namespace) or `namespace/name`. The
	// network policy lets this app reach them and nothing else in the cluster.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:Pattern=`^([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:items:MaxLength=127
	DependsOn []string `json:"dependsOn,omitempty"`

	// Egress names what the app reaches outside the cluster, by host name or address range; nothing
	// else outside the cluster is reachable unless the platform allows it for every app. Host names
	// are enforced only where the platform's network policy can (Cilium); with Kubernetes
	// NetworkPolicy the app is warned and should name address ranges instead.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	Egress []Egress `json:"egress,omitempty"`

	// MultiCluster makes the app's Service span the clusters of a cluster mesh.
	// +optional
	MultiCluster *MultiCluster `json:"multiCluster,omitempty"`

	// CMDB registers the app in the company's CMDB: created with the app, corrected when edited by
	// hand, retired when the app is deleted.
	// +optional
	CMDB *CMDB `json:"cmdb,omitempty"`

	// Database gives the app a database of its own. Where it runs (a cloud or the cluster) is the
	// platform's choice; the app gets DATABASE_URL and the engine's usual variables (PGHOST, ...).
	// +optional
	Database *Database `json:"database,omitempty"`

	// Cache gives the app a Redis cache of its own; the app gets REDIS_URL, REDIS_HOST, REDIS_PORT
	// and REDIS_PASSWORD.
	// +optional
	Cache *Cache `json:"cache,omitempty"`

	// Bucket gives the app an object storage bucket of its own, which only the app's identity may
	// use; the app gets BUCKET_NAME.
	// +optional
	Bucket *Bucket `json:"bucket,omitempty"`
}

// Engine of a database.
// +kubebuilder:validation:Enum=postgres;mysql
type Engine string

// Database engines.
const (
	EnginePostgres Engine = "postgres"
	EngineMySQL    Engine = "mysql"
)

// Size of a data service. The platform maps each size to an instance class of its cloud.
// +kubebuilder:validation:Enum=small;medium;large
type Size string

// Sizes of data services.
const (
	SizeSmall  Size = "small"
	SizeMedium Size = "medium"
	SizeLarge  Size = "large"
)

// Database is the app's database.
type Database struct {
	// Engine of the database: postgres (default) or mysql.
	// +optional
	// +kubebuilder:default=postgres
	Engine Engine `json:"engine,omitempty"`

	// Version of the engine, major or major.minor: `16`, `8.0`. Defaults to the platform's choice
	// (postgres 16, mysql 8.0).
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=8
	Version string `json:"version,omitempty"`

	// Size of the database instance: small (default), medium or large.
	// +optional
	// +kubebuilder:default=small
	Size Size `json:"size,omitempty"`

	// Storage for data, e.g. `20Gi` (the default). Whole gibibytes; clouds round up.
	// +optional
	Storage *resource.Quantity `json:"storage,omitempty"`

	// HighAvailability runs a standby in another zone that takes over when the primary fails.
	// +optional
	HighAvailability bool `json:"highAvailability,omitempty"`

	// Backups of the database. Daily backups kept 7 days unless set otherwise.
	// +optional
	Backups *Backups `json:"backups,omitempty"`

	// Env gives the app these variables under names of its choosing as well: `PGHOST:
	// POSTGRES_HOST` sets POSTGRES_HOST to PGHOST's value. Kubernetes fills the values in ($(VAR)
	// expansion); the platform never reads a credential. The app's own env may build values from
	// them too: `jdbc:postgresql://$(PGHOST):$(PGPORT)/$(PGDATABASE)`.
	// +optional
	// +kubebuilder:validation:MaxProperties=32
	Env map[string]string `json:"env,omitempty"`
}

// Backups of a database.
type Backups struct {
	// RetentionDays is how long backups are kept; 0 turns backups off.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=35
	RetentionDays int32 `json:"retentionDays"`
}

// CacheEngine of a cache.
// +kubebuilder:validation:Enum=redis
type CacheEngine string

// CacheRedis is the only cache engine.
const CacheRedis CacheEngine = "redis"

// Cache is the app's cache.
type Cache struct {
	// Engine of the cache: redis.
	// +optional
	// +kubebuilder:default=redis
	Engine CacheEngine `json:"engine,omitempty"`

	// Size of the cache: small (default), medium or large.
	// +optional
	// +kubebuilder:default=small
	Size Size `json:"size,omitempty"`

	// Env gives the app these variables under names of its choosing as well: `REDIS_HOST:
	// SPRING_DATA_REDIS_HOST` sets SPRING_DATA_REDIS_HOST to REDIS_HOST's value. Kubernetes fills
	// the values in ($(VAR) expansion); the platform never reads a credential. The app's own env
	// may build values from them too: `$(REDIS_HOST):$(REDIS_PORT)`.
	// +optional
	// +kubebuilder:validation:MaxProperties=32
	Env map[string]string `json:"env,omitempty"`
}

// Bucket is the app's object storage bucket. Public access is always blocked unless the platform
// allows public buckets and the app asks for one.
type Bucket struct {
	// Versioning keeps every version of every object.
	// +optional
	Versioning bool `json:"versioning,omitempty"`

	// Public lifts the block on public access (public ACLs stay refused), so the bucket's objects
	// can be published. Refused unless the platform allows public buckets.
	// +optional
	Public bool `json:"public,omitempty"`

	// Env gives the app these variables under names of its choosing as well: `BUCKET_NAME:
	// S3_BUCKET` sets S3_BUCKET to BUCKET_NAME's value. Kubernetes fills the values in ($(VAR)
	// expansion); the platform never reads a credential.
	// +optional
	// +kubebuilder:validation:MaxProperties=32
	Env map[string]string `json:"env,omitempty"`
}

// Protocol is what a port speaks; it decides the probe, the route kind, the Service's appProtocol and
// the transport (UDP for udp, TCP for the others).
// +kubebuilder:validation:Enum=http;grpc;tcp;udp
type Protocol string

// Protocols an app port can speak.
const (
	ProtocolHTTP Protocol = "http"
	ProtocolGRPC Protocol = "grpc"
	ProtocolTCP  Protocol = "tcp"
	ProtocolUDP  Protocol = "udp"
)

// Port is a port the app listens on.
//
// +kubebuilder:validation:XValidation:rule="!has(self.gatewayRoute) || (has(self.protocol) && self.protocol == 'tcp' && has(self.expose) && self.expose)",message="gatewayRoute publishes a tcp port with expose: true"
type Port struct {
	// Name of the port, used by the Service and to refer to the port from probes.
	// +kubebuilder:validation:MaxLength=15
	// +kubebuilder:validation:Pattern=`^[a-z]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// Port number the container listens on.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port"`

	// ServicePort is the port the app's Service offers, when it differs from the container's: 80 in
	// front of a container listening on 8080. Callers and the route use it; the network policy
	// admits traffic to the container's port, which is where it arrives.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	ServicePort *int32 `json:"servicePort,omitempty"`

	// Protocol the port speaks: http (default), grpc, tcp or udp. A udp port gets no default
	// probes (Kubernetes cannot probe UDP) and cannot be routed.
	// +optional
	// +kubebuilder:default=http
	Protocol Protocol `json:"protocol,omitempty"`

	// Expose lets the platform's gateway (or ingress controller) reach the port; the route sends
	// traffic to the first exposed HTTP or gRPC port unless its rules name others.
	// +optional
	Expose *bool `json:"expose,omitempty"`

	// LoadBalancer offers the port outside the cluster on a load balancer of its own, on its
	// Service port: for what a gateway cannot route, such as a TCP or UDP protocol. Refused unless
	// the platform allows load balancers.
	// +optional
	LoadBalancer bool `json:"loadBalancer,omitempty"`

	// GatewayRoute publishes an exposed tcp port through the platform's gateway, where the
	// platform allows it: TLS routes the app's own TLS by host name (SNI, the route's host)
	// through the gateway's passthrough listener; TCP takes the gateway's listener on the port's
	// Service port. For what a gateway cannot carry, use loadBalancer.
	// +optional
	GatewayRoute GatewayRoute `json:"gatewayRoute,omitempty"`
}

// EnvVar is one environment variable: a value, or a key of a Secret or ConfigMap.
//
// +kubebuilder:validation:XValidation:rule="[has(self.value), has(self.secretKeyRef), has(self.configMapKeyRef), has(self.storeKeyRef)].filter(x, x).size() <= 1",message="set at most one of value, secretKeyRef, configMapKeyRef and storeKeyRef"
type EnvVar struct {
	// Name of the variable.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z][-._a-zA-Z0-9]*$`
	Name string `json:"name"`

	// Value of the variable.
	// +optional
	Value string `json:"value,omitempty"`

	// SecretKeyRef takes the value from a key of a Secret in the app's namespace.
	// +optional
	SecretKeyRef *KeyRef `json:"secretKeyRef,omitempty"`

	// ConfigMapKeyRef takes the value from a key of a ConfigMap in the app's namespace.
	// +optional
	ConfigMapKeyRef *KeyRef `json:"configMapKeyRef,omitempty"`

	// StoreKeyRef takes the value from a key of a secret in the platform's secret store.
	// +optional
	StoreKeyRef *StoreKeyRef `json:"storeKeyRef,omitempty"`
}

// KeyRef names one key of a Secret or ConfigMap.
type KeyRef struct {
	// Name of the Secret or ConfigMap.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// Key in it.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key"`

	// Optional lets the pod start when the key or its object does not exist.
	// +optional
	Optional bool `json:"optional,omitempty"`
}

// File is a configuration file mounted read-only into the container.
type File struct {
	// Path the file appears at, absolute.
	// +kubebuilder:validation:MinLength=2
	// +kubebuilder:validation:MaxLength=1024
	// +kubebuilder:validation:Pattern=`^/[^\x00]*[^/]$`
	Path string `json:"path"`

	// Content of the file.
	// +kubebuilder:validation:MaxLength=262144
	Content string `json:"content"`
}

// Security is the container's escape hatch from the secure defaults.
type Security struct {
	// RunAsUser is the UID to run as, for an image whose USER is root or a name: Kubernetes cannot
	// tell that a named user is not root and refuses to start it. Never 0.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=2147483647
	RunAsUser *int64 `json:"runAsUser,omitempty"`

	// RunAsGroup is the GID to run as, and the group that owns the pod's volumes (fsGroup).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=2147483647
	RunAsGroup *int64 `json:"runAsGroup,omitempty"`

	// Capabilities added back after all are dropped, e.g. NET_BIND_SERVICE; only those the platform
	// allows.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:validation:items:Pattern=`^[A-Z_]+$`
	Capabilities []string `json:"capabilities,omitempty"`
}

// Container is an init container or a sidecar: an image of its own, with the app's secure defaults.
type Container struct {
	// Name of the container; not the app's name, which its main container has.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// Image to run, under the same registry and pinning rules as the app's.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Image string `json:"image"`

	// Command replaces the image's entrypoint.
	// +optional
	Command []string `json:"command,omitempty"`

	// Args replaces the image's default arguments.
	// +optional
	Args []string `json:"args,omitempty"`

	// Env sets environment variables, as the app's env does.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=128
	Env []EnvVar `json:"env,omitempty"`

	// Resources the container requests and may not exceed; the platform's defaults when unset.
	// +optional
	Resources *Resources `json:"resources,omitempty"`

	// Security loosens the secure defaults as the app's security does, as far as the platform
	// allows.
	// +optional
	Security *Security `json:"security,omitempty"`

	// Volumes of the app's, by name, mounted at the same paths: a log shipper reads what the app
	// writes to a scratch volume.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=16
	Volumes []string `json:"volumes,omitempty"`
}

// Volume is one volume mounted into the container. Set exactly one of scratch, secret, configMap,
// storeSecret and persistent.
//
// +kubebuilder:validation:XValidation:rule="[has(self.scratch), has(self.secret), has(self.configMap), has(self.storeSecret), has(self.persistent)].filter(x, x).size() == 1",message="set exactly one of scratch, secret, configMap, storeSecret and persistent"
type Volume struct {
	// Name of the volume.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=40
	// +kubebuilder:validation:Pattern=`^[a-z]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// Path the volume is mounted at, absolute; not /tmp, which is always writable scratch space.
	// +kubebuilder:validation:MinLength=2
	// +kubebuilder:validation:MaxLength=1024
	// +kubebuilder:validation:Pattern=`^/[^\x00]*$`
	Path string `json:"path"`

	// Scratch is writable space that lives as long as the pod: a cache, a server's temporary files.
	// +optional
	Scratch *ScratchVolume `json:"scratch,omitempty"`

	// Secret mounts every key of a Secret in the app's namespace as a file, read-only.
	// +optional
	Secret *ObjectVolume `json:"secret,omitempty"`

	// ConfigMap mounts every key of a ConfigMap in the app's namespace as a file, read-only.
	// +optional
	ConfigMap *ObjectVolume `json:"configMap,omitempty"`

	// StoreSecret mounts every key of a secret in the platform's secret store as a file, read-only.
	// +optional
	StoreSecret *StoreSecret `json:"storeSecret,omitempty"`

	// Persistent storage outlives the pod, on a claim the app owns. Refused unless the platform
	// allows it.
	// +optional
	Persistent *PersistentVolume `json:"persistent,omitempty"`
}

// ScratchVolume is an emptyDir.
type ScratchVolume struct {
	// Memory backs the space with RAM (tmpfs): fast, and counted against the memory limit.
	// +optional
	Memory bool `json:"memory,omitempty"`

	// Size the space may grow to, e.g. `1Gi`; the pod is evicted beyond it.
	// +optional
	Size *resource.Quantity `json:"size,omitempty"`
}

// ObjectVolume names a Secret or ConfigMap.
type ObjectVolume struct {
	// Name of the Secret or ConfigMap.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// Optional lets the pod start when it does not exist.
	// +optional
	Optional bool `json:"optional,omitempty"`
}

// PersistentVolume is a PersistentVolumeClaim of the app's, on the platform's storage class.
type PersistentVolume struct {
	// Size of the volume, e.g. `10Gi`.
	Size resource.Quantity `json:"size"`
}

// PodMetadata is metadata for the app's pods.
type PodMetadata struct {
	// Labels on the pods, e.g. `sidecar.istio.io/inject: "true"`.
	// +optional
	// +kubebuilder:validation:MaxProperties=32
	Labels map[string]string `json:"labels,omitempty"`

	// Annotations on the pods, e.g. `prometheus.io/scrape: "true"`.
	// +optional
	// +kubebuilder:validation:MaxProperties=64
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Resources the container requests, and its limits.
type Resources struct {
	// CPU request, e.g. `250m`.
	// +optional
	CPU *resource.Quantity `json:"cpu,omitempty"`

	// Memory request, e.g. `256Mi`; also the limit unless limits.memory is set.
	// +optional
	Memory *resource.Quantity `json:"memory,omitempty"`

	// Limits the container may not exceed, each at least its request and at most the platform's
	// cap. Unset, memory is limited to its request and CPU follows the platform's policy (by
	// default no limit).
	// +optional
	Limits *ResourceLimits `json:"limits,omitempty"`
}

// ResourceLimits cap what the container may use.
type ResourceLimits struct {
	// CPU limit, e.g. `1`. The container is throttled beyond it even when the node is idle.
	// +optional
	CPU *resource.Quantity `json:"cpu,omitempty"`

	// Memory limit, e.g. `512Mi`. The container is killed beyond it; a memory request below it lets
	// the app burst, at the risk of being evicted first when the node runs short.
	// +optional
	Memory *resource.Quantity `json:"memory,omitempty"`
}

// Autoscaling bounds and targets: utilisation targets make a HorizontalPodAutoscaler, a request rate
// or a queue a KEDA ScaledObject (which makes its own), never both.
//
// +kubebuilder:validation:XValidation:rule="self.max >= self.min",message="autoscaling.max must be greater than or equal to autoscaling.min"
// +kubebuilder:validation:XValidation:rule="!(has(self.requestsPerSecond) || has(self.queue)) || !(has(self.targetCPUUtilization) || has(self.targetMemoryUtilization))",message="set utilisation targets (an HPA) or requestsPerSecond and queue (a KEDA ScaledObject), not both: KEDA makes its own HPA"
// +kubebuilder:validation:XValidation:rule="self.min > 0 || has(self.requestsPerSecond) || has(self.queue)",message="autoscaling.min 0 needs requestsPerSecond or queue: CPU and memory cannot wake an app that runs no pods"
type Autoscaling struct {
	// Min replicas. 0 scales the app to zero while it has no requests or messages, where the
	// platform allows it; only with requestsPerSecond or queue.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000
	Min int32 `json:"min"`

	// Max replicas.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	Max int32 `json:"max"`

	// TargetCPUUtilization is the average CPU use, in percent of the request, the autoscaler aims for.
	// Defaults to 80 when no target is set.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	TargetCPUUtilization *int32 `json:"targetCPUUtilization,omitempty"`

	// TargetMemoryUtilization is the average memory use, in percent of the request, the autoscaler
	// aims for.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	TargetMemoryUtilization *int32 `json:"targetMemoryUtilization,omitempty"`

	EventScaling `json:",inline"`
}

// Probes of the container. An unset probe gets the platform's default on the first port.
type Probes struct {
	// Liveness restarts the container when it fails.
	// +optional
	Liveness *Probe `json:"liveness,omitempty"`
	// Readiness takes the pod out of the Service while it fails.
	// +optional
	Readiness *Probe `json:"readiness,omitempty"`
	// Startup holds the other probes back until the app has started.
	// +optional
	Startup *Probe `json:"startup,omitempty"`
}

// Probe checks the app one way: HTTP GET, gRPC health, TCP connect or a command. Set one of them,
// or disabled.
//
// +kubebuilder:validation:XValidation:rule="[has(self.http), has(self.grpc), has(self.tcp), has(self.exec)].filter(x, x).size() <= 1",message="set at most one of http, grpc, tcp and exec"
// +kubebuilder:validation:XValidation:rule="!(has(self.disabled) && self.disabled) || [has(self.http), has(self.grpc), has(self.tcp), has(self.exec)].filter(x, x).size() == 0",message="a disabled probe takes no check"
type Probe struct {
	// Disabled turns the probe off instead of using the default.
	// +optional
	Disabled bool `json:"disabled,omitempty"`

	// HTTP GET of a path; 200-399 is healthy.
	// +optional
	HTTP *HTTPProbe `json:"http,omitempty"`

	// GRPC health checking protocol.
	// +optional
	GRPC *GRPCProbe `json:"grpc,omitempty"`

	// TCP connect.
	// +optional
	TCP *TCPProbe `json:"tcp,omitempty"`

	// Exec runs a command in the container; exit code 0 is healthy.
	// +optional
	Exec *ExecProbe `json:"exec,omitempty"`

	// InitialDelaySeconds before the first check.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=3600
	InitialDelaySeconds *int32 `json:"initialDelaySeconds,omitempty"`

	// PeriodSeconds between checks.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=3600
	PeriodSeconds *int32 `json:"periodSeconds,omitempty"`

	// TimeoutSeconds of one check.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=600
	TimeoutSeconds *int32 `json:"timeoutSeconds,omitempty"`

	// FailureThreshold is how many failed checks in a row count as failure.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	FailureThreshold *int32 `json:"failureThreshold,omitempty"`
}

// HTTPProbe is an HTTP GET.
type HTTPProbe struct {
	// Path to GET.
	// +kubebuilder:validation:Pattern=`^/`
	// +kubebuilder:validation:MaxLength=1024
	Path string `json:"path"`
	// Port name; defaults to the first port.
	// +optional
	Port string `json:"port,omitempty"`
}

// GRPCProbe uses the gRPC health checking protocol.
type GRPCProbe struct {
	// Port name; defaults to the first port.
	// +optional
	Port string `json:"port,omitempty"`
	// Service name sent in the health check request.
	// +optional
	Service string `json:"service,omitempty"`
}

// TCPProbe is a TCP connect.
type TCPProbe struct {
	// Port name; defaults to the first port.
	// +optional
	Port string `json:"port,omitempty"`
}

// ExecProbe runs a command in the container.
type ExecProbe struct {
	// Command to run.
	// +kubebuilder:validation:MinItems=1
	Command []string `json:"command"`
}

// Route publishes the app through the platform's gateway or ingress controller.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.paths) && has(self.rules))",message="set either paths (to the first exposed port) or rules (each path to a port), not both"
// +kubebuilder:validation:XValidation:rule="!(has(self.host) && has(self.catchAll) && self.catchAll)",message="a catch-all route matches every host: set either host or catchAll"
type Route struct {
	// Host name; defaults to `<app>.<namespace>.<platform domain>`.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Host string `json:"host,omitempty"`

	// Paths routed to the app, as path prefixes; defaults to `/`.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:Pattern=`^/`
	// +kubebuilder:validation:items:MaxLength=1024
	Paths []string `json:"paths,omitempty"`

	// TLS serves the route on the gateway's HTTPS listener (the default); false uses its HTTP
	// listener.
	// +optional
	TLS *bool `json:"tls,omitempty"`

	// Rules send path prefixes to different exposed HTTP ports: `/api` to port `api`, `/` to port
	// `web`. Set either paths or rules. The longest matching prefix wins, whatever the order.
	// +optional
	// +listType=map
	// +listMapKey=path
	// +kubebuilder:validation:MaxItems=16
	Rules []RouteRule `json:"rules,omitempty"`

	// CatchAll routes every host name that reaches the gateway or ingress controller to the app
	// instead of one host, for a cluster or address that serves one app. Refused unless the
	// platform allows it; the status then shows a URL only where the address is known (Ingress).
	// +optional
	CatchAll bool `json:"catchAll,omitempty"`
}

// Egress is one destination outside the cluster: a host or an address range, on some ports.
//
// +kubebuilder:validation:XValidation:rule="has(self.host) != has(self.cidr)",message="set exactly one of host and cidr"
type Egress struct {
	// Host the app connects to, e.g. `api.stripe.com`; `*.example.com` is any host one label
	// below example.com (`eu.example.com`, not `a.eu.example.com`).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Host string `json:"host,omitempty"`

	// CIDR the app connects to, e.g. `203.0.113.0/24` or `2001:db8::/32`. A range that includes
	// private addresses (where the cluster's pods and nodes usually are) is refused unless the
	// platform allows it.
	// +optional
	// +kubebuilder:validation:MaxLength=43
	CIDR string `json:"cidr,omitempty"`

	// Ports the app connects to; every port when unset.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=16
	Ports []EgressPort `json:"ports,omitempty"`
}

// Transport protocol of a port.
// +kubebuilder:validation:Enum=tcp;udp
type Transport string

// Transport protocols.
const (
	TransportTCP Transport = "tcp"
	TransportUDP Transport = "udp"
)

// EgressPort is a port outside the cluster.
type EgressPort struct {
	// Port number.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port"`

	// Protocol: tcp (default) or udp.
	// +optional
	// +kubebuilder:default=tcp
	Protocol Transport `json:"protocol,omitempty"`
}

// Affinity of a global service: which cluster's endpoints it prefers.
// +kubebuilder:validation:Enum=local;remote;none
type Affinity string

// MultiCluster spreads the app's Service over a cluster mesh.
type MultiCluster struct {
	// Global makes the Service load-balance over the endpoints of every cluster that has it.
	// +optional
	Global bool `json:"global,omitempty"`

	// Affinity prefers endpoints in the local cluster, remote clusters, or none.
	// +optional
	Affinity Affinity `json:"affinity,omitempty"`
}

// XAppStatus is what a developer needs to know about the app.
type XAppStatus struct {
	// URL the app is reachable at through the gateway.
	// +optional
	URL string `json:"url,omitempty"`

	// Image the app runs.
	// +optional
	Image string `json:"image,omitempty"`

	// Digest of the image the app runs (sha256:...): the one its reference pins, what was signed
	// where signatures are checked; for an image named by tag, the one all its running pods report
	// for that image, unknown while they disagree (mid-rollout, or after the tag moved).
	// +optional
	Digest string `json:"digest,omitempty"`

	// LoadBalancer is the address (IP or host name) of the app's load balancer, once it has one.
	// +optional
	LoadBalancer string `json:"loadBalancer,omitempty"`

	// Replicas of the app's Deployment.
	// +optional
	Replicas *ReplicaStatus `json:"replicas,omitempty"`

	// Job is a job app's run: its Job or CronJob, and how its last run went.
	// +optional
	Job *JobStatus `json:"job,omitempty"`

	// Database is where the app's database lives and whether it is ready.
	// +optional
	Database *DataServiceStatus `json:"database,omitempty"`

	// Cache is where the app's cache lives and whether it is ready.
	// +optional
	Cache *DataServiceStatus `json:"cache,omitempty"`

	// Bucket is the app's bucket and whether it is ready.
	// +optional
	Bucket *DataServiceStatus `json:"bucket,omitempty"`

	// CMDB is the app's record in the CMDB, once registered.
	// +optional
	CMDB *CMDBStatus `json:"cmdb,omitempty"`

	// Deploy is the app's latest rollout: which revision, what image, how it went and when.
	// +optional
	Deploy *DeployStatus `json:"deploy,omitempty"`

	// Links are where to look next, as the platform templates them: the app's dashboard, its
	// metrics.
	// +optional
	Links *Links `json:"links,omitempty"`

	// PolicyWarnings are the rules of the platform's XAppPolicy the app breaks where its environment
	// only warns, with the messages admission gave when it was applied. Warnings are otherwise only
	// events, which expire; these stay for as long as the app breaks the rules.
	// +optional
	PolicyWarnings []string `json:"policyWarnings,omitempty"`
}

// CMDB is what the CMDB records about the app.
type CMDB struct {
	// OwnerTeam owns and supports the app (the CMDB's support group or team).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	OwnerTeam string `json:"ownerTeam"`

	// Criticality of the app to the business.
	// +optional
	// +kubebuilder:validation:Enum=Critical;High;Medium;Low
	Criticality string `json:"criticality,omitempty"`

	// BusinessService is the CMDB id of the business service the app belongs to; the CMDB records
	// that the service depends on the app.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	BusinessService string `json:"businessService,omitempty"`

	// Description of the app in the CMDB.
	// +optional
	// +kubebuilder:validation:MaxLength=1000
	Description string `json:"description,omitempty"`
}

// CMDBStatus locates the app's CMDB record.
type CMDBStatus struct {
	// ID of the record in the CMDB.
	ID string `json:"id,omitempty"`
	// URL of the record, for people.
	URL string `json:"url,omitempty"`
}

// DataServiceStatus tells where a data service lives. It never holds credentials: those stay in
// the Secret it names.
type DataServiceStatus struct {
	// Provider the data service runs on: aws, gcp, azure or in-cluster.
	// +optional
	Provider string `json:"provider,omitempty"`

	// Name of the database instance, cache or bucket in its cloud.
	// +optional
	Name string `json:"name,omitempty"`

	// Endpoint the app connects to (host or URL), once known.
	// +optional
	Endpoint string `json:"endpoint,omitempty"`

	// SecretName is the Secret in the app's namespace the app's connection details come from.
	// +optional
	SecretName string `json:"secretName,omitempty"`

	// Ready is true once the data service can be used.
	Ready bool `json:"ready"`

	// Reason it is not ready, in the words of the object that waits.
	// +optional
	Reason string `json:"reason,omitempty"`
}

// ReplicaStatus counts the app's pods.
type ReplicaStatus struct {
	// Desired pods.
	Desired int32 `json:"desired"`
	// Updated pods run the current version of the app.
	Updated int32 `json:"updated"`
	// Available pods are ready to serve.
	Available int32 `json:"available"`
}

// +kubebuilder:object:root=true

// XAppList is a list of XApps.
type XAppList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []XApp `json:"items"`
}
