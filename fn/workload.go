package fn

import (
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

const (
	volumeFiles = "files"
	volumeTmp   = "tmp"
)

// objectMeta is the metadata every composed object shares: guessable name, the app's namespace,
// the standard and platform labels, the platform's annotations.
func (a *app) objectMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: a.namespace, Labels: a.labels, Annotations: a.in.Annotations}
}

// annotations are the platform's annotations with extra ones of an object, later ones winning. The
// platform's own map is shared by every object of the app and is never written: an object with
// extra annotations gets a map of its own.
func (a *app) annotations(extra ...map[string]string) map[string]string {
	n := 0
	for _, e := range extra {
		n += len(e)
	}
	if n == 0 {
		return a.in.Annotations
	}
	out := make(map[string]string, len(a.in.Annotations)+n)
	maps.Copy(out, a.in.Annotations)
	for _, e := range extra {
		maps.Copy(out, e)
	}
	return out
}

// serviceAccount gives the app an identity of its own, so platform policies and, later, cloud
// identities can be bound to exactly this app.
func serviceAccount(a *app) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: a.objectMeta(a.name),
		// Pods do not get a Kubernetes API token unless they ask for one; the app's pods don't.
		AutomountServiceAccountToken: ptr.To(false),
	}
}

// configMap holds the app's files; nil when it has none.
func configMap(a *app) *corev1.ConfigMap {
	if len(a.spec.Files) == 0 {
		return nil
	}
	data := make(map[string]string, len(a.spec.Files))
	for _, f := range a.spec.Files {
		data[fileKey(f.Path)] = f.Content
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: a.objectMeta(a.name + "-files"),
		Data:       data,
	}
}

// deployment runs the app with secure defaults: not root, read-only root filesystem with a writable
// /tmp, no capabilities, no privilege escalation, RuntimeDefault seccomp, no API token. Rollouts
// never take a serving pod away before its replacement is available.
func deployment(a *app, extraEnv []corev1.EnvVar) *appsv1.Deployment {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: a.objectMeta(a.name),
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: a.selector},
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: ptr.To(intstr.FromInt32(0)),
					MaxSurge:       ptr.To(intstr.FromString("25%")),
				},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: a.podLabels, Annotations: podAnnotations(a)},
				Spec:       podSpec(a, extraEnv),
			},
		},
	}
	if a.generation != "" {
		d.Annotations = maps.Clone(d.Annotations)
		if d.Annotations == nil {
			d.Annotations = map[string]string{}
		}
		d.Annotations[AnnotationAppGeneration] = a.generation
	}
	if len(extraEnv) > 0 || a.spec.Database != nil || a.spec.Cache != nil || a.spec.Bucket != nil {
		// Deleting the Deployment then waits, in foreground, until its ReplicaSets and their pods
		// are gone; the Usages keep the app's data services while the Deployment exists, so a
		// data service outlives the last pod that uses it instead of the Deployment object.
		d.Finalizers = []string{metav1.FinalizerDeleteDependents}
	}
	if hasPersistent(a.spec.Volumes) {
		// The one pod's volume attaches to one node at a time: the old pod must stop before the
		// new one can start.
		d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}
	// An autoscaled app's replica count belongs to the HorizontalPodAutoscaler: sending one would
	// reset it on every reconcile.
	if !a.autoscaled() {
		d.Spec.Replicas = ptr.To(a.replicas())
	}
	return d
}

func podSpec(a *app, extraEnv []corev1.EnvVar) corev1.PodSpec {
	c := corev1.Container{
		Name:            a.name,
		Image:           a.spec.Image,
		Command:         a.spec.Command,
		Args:            a.spec.Args,
		Ports:           containerPorts(a.spec.Ports),
		Env:             env(a, a.spec.Env, extraEnv),
		Resources:       resources(a, a.spec.Resources),
		LivenessProbe:   probe(a, probeLiveness),
		ReadinessProbe:  probe(a, probeReadiness),
		StartupProbe:    probe(a, probeStartup),
		VolumeMounts:    []corev1.VolumeMount{{Name: volumeTmp, MountPath: "/tmp"}},
		SecurityContext: containerSecurityContext(a.spec.Security),
	}
	volumes := []corev1.Volume{{Name: volumeTmp, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	if len(a.spec.Files) > 0 {
		volumes = append(volumes, corev1.Volume{Name: volumeFiles, VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: a.name + "-files"}},
		}})
		for _, f := range a.spec.Files {
			c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: volumeFiles, MountPath: f.Path, SubPath: fileKey(f.Path), ReadOnly: true})
		}
	}
	vols, mounts := appVolumes(a)
	volumes = append(volumes, vols...)
	c.VolumeMounts = append(c.VolumeMounts, mounts...)
	ps := corev1.PodSpec{
		ServiceAccountName:           a.serviceAccountName(),
		ImagePullSecrets:             imagePullSecrets(a),
		AutomountServiceAccountToken: ptr.To(false),
		// Service links put an environment variable per Service in the namespace into every pod:
		// noise at best, a name clash at worst.
		EnableServiceLinks: ptr.To(false),
		SecurityContext:    podSecurityContext(a.spec.Security),
		InitContainers:     initContainers(a, extraEnv),
		Containers:         []corev1.Container{c},
		Volumes:            volumes,
	}
	if a.maxReplicas() > 1 {
		// Prefer pods on different nodes, without refusing to schedule on a small cluster.
		ps.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
			MaxSkew:           1,
			TopologyKey:       corev1.LabelHostname,
			WhenUnsatisfiable: corev1.ScheduleAnyway,
			LabelSelector:     &metav1.LabelSelector{MatchLabels: a.selector},
		}}
	}
	return ps
}

func containerPorts(ports []v1alpha1.Port) []corev1.ContainerPort {
	if len(ports) == 0 {
		return nil
	}
	out := make([]corev1.ContainerPort, len(ports))
	for i, p := range ports {
		// The protocol is part of the list's merge key: server-side apply needs it sent.
		out[i] = corev1.ContainerPort{Name: p.Name, ContainerPort: p.Port, Protocol: transport(p)}
	}
	return out
}

// env is the platform's variables (the data services'), then the developer's in their order: a
// variable may refer to any before it with $(NAME), so the developer's can be built from the data
// services' (SPRING_DATASOURCE_URL from PGHOST and PGPORT) and from each other.
func env(a *app, vars []v1alpha1.EnvVar, extra []corev1.EnvVar) []corev1.EnvVar {
	if len(vars)+len(extra) == 0 {
		return nil
	}
	out := make([]corev1.EnvVar, 0, len(vars)+len(extra))
	out = append(out, extra...)
	for _, v := range vars {
		e := corev1.EnvVar{Name: v.Name, Value: v.Value}
		switch {
		case v.SecretKeyRef != nil:
			e.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: v.SecretKeyRef.Name},
				Key:                  v.SecretKeyRef.Key,
				Optional:             optional(v.SecretKeyRef.Optional),
			}}
		case v.ConfigMapKeyRef != nil:
			e.ValueFrom = &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: v.ConfigMapKeyRef.Name},
				Key:                  v.ConfigMapKeyRef.Key,
				Optional:             optional(v.ConfigMapKeyRef.Optional),
			}}
		case v.StoreKeyRef != nil:
			// The app's ExternalSecret writes the key under the variable's own name.
			e.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: storeEnvSecret(a, v.StoreKeyRef.Store)},
				Key:                  v.Name,
			}}
		}
		out = append(out, e)
	}
	return out
}

// optional is sent only when true: false is the API's default, and owning it gains nothing.
func optional(b bool) *bool {
	if !b {
		return nil
	}
	return ptr.To(true)
}
