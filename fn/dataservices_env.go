package fn

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// Environment variables of data services. Values come from Secrets through secretKeyRef, or are
// plain values the function knows (names, ports); URLs are built by Kubernetes from the others with
// $(VAR) expansion, so the function never reads a credential.

func secretEnv(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key,
	}}}
}

func valueEnv(name, value string) corev1.EnvVar { return corev1.EnvVar{Name: name, Value: value} }

func envNames(env []corev1.EnvVar) string {
	names := make([]string, len(env))
	for i, e := range env {
		names[i] = e.Name
	}
	return strings.Join(names, ", ")
}

// databaseEnv is the conventional environment of a database: the engine's own variables (PGHOST,
// PGPORT, PGUSER, PGPASSWORD, PGDATABASE, or MYSQL_*), then DATABASE_URL built from them by
// Kubernetes. host, port, user and password are each a value or a Secret key; a password without
// either (IAM authentication) is left out. Generated passwords are alphanumeric (crossplane-runtime
// pkg/password.Default, which upjet's autoGeneratePassword uses), so they need no escaping in a URL.
func databaseEnv(engine v1alpha1.Engine, host, port, user, password corev1.EnvVar, dbname string, query string) []corev1.EnvVar {
	pre, scheme := "PG", "postgresql"
	if engine == v1alpha1.EngineMySQL {
		pre, scheme = "MYSQL_", "mysql"
	}
	host.Name, port.Name, user.Name = pre+"HOST", pre+"PORT", pre+"USER"
	env := []corev1.EnvVar{host, port, user}
	auth := "$(" + user.Name + ")"
	if strings.Contains(user.Value, "@") {
		// An IAM user name is an email address; Kubernetes would expand it unescaped.
		auth = strings.ReplaceAll(user.Value, "@", "%40")
	}
	if password.Value != "" || password.ValueFrom != nil {
		password.Name = pre + "PASSWORD"
		env = append(env, password)
		auth += ":$(" + password.Name + ")"
	}
	db := pre + "DATABASE"
	env = append(env, valueEnv(db, dbname))
	url := scheme + "://" + auth + "@$(" + host.Name + "):$(" + port.Name + ")/$(" + db + ")"
	if query != "" {
		url += "?" + query
	}
	return append(env, valueEnv("DATABASE_URL", url))
}

// redisEnv is the conventional environment of a Redis cache over TLS.
func redisEnv(host, port, password corev1.EnvVar) []corev1.EnvVar {
	host.Name, port.Name, password.Name = "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"
	return []corev1.EnvVar{host, port, password, valueEnv("REDIS_URL", "rediss://:$(REDIS_PASSWORD)@$(REDIS_HOST):$(REDIS_PORT)")}
}
