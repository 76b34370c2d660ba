package v1alpha1

import (
	"reflect"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

// Package type metadata.
const (
	Group   = "cmdb.m.xapp.dev"
	Version = "v1alpha1"
)

var (
	// SchemeGroupVersion is the group version used to register these objects.
	SchemeGroupVersion = schema.GroupVersion{Group: Group, Version: Version}

	// SchemeBuilder adds the kinds of this package to a scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: SchemeGroupVersion}
)

// ConfigurationItem type metadata.
var (
	ConfigurationItemKind             = reflect.TypeFor[ConfigurationItem]().Name()
	ConfigurationItemGroupKind        = schema.GroupKind{Group: Group, Kind: ConfigurationItemKind}.String()
	ConfigurationItemGroupVersionKind = SchemeGroupVersion.WithKind(ConfigurationItemKind)
)

// Relationship type metadata.
var (
	RelationshipKind             = reflect.TypeFor[Relationship]().Name()
	RelationshipGroupKind        = schema.GroupKind{Group: Group, Kind: RelationshipKind}.String()
	RelationshipGroupVersionKind = SchemeGroupVersion.WithKind(RelationshipKind)
)

// Notification type metadata.
var (
	NotificationKind             = reflect.TypeFor[Notification]().Name()
	NotificationGroupKind        = schema.GroupKind{Group: Group, Kind: NotificationKind}.String()
	NotificationGroupVersionKind = SchemeGroupVersion.WithKind(NotificationKind)
)

// ChangeRecord type metadata.
var (
	ChangeRecordKind             = reflect.TypeFor[ChangeRecord]().Name()
	ChangeRecordGroupKind        = schema.GroupKind{Group: Group, Kind: ChangeRecordKind}.String()
	ChangeRecordGroupVersionKind = SchemeGroupVersion.WithKind(ChangeRecordKind)
)

// ProviderConfig type metadata.
var (
	ProviderConfigKind             = reflect.TypeFor[ProviderConfig]().Name()
	ProviderConfigGroupKind        = schema.GroupKind{Group: Group, Kind: ProviderConfigKind}.String()
	ProviderConfigGroupVersionKind = SchemeGroupVersion.WithKind(ProviderConfigKind)

	ClusterProviderConfigKind             = reflect.TypeFor[ClusterProviderConfig]().Name()
	ClusterProviderConfigGroupKind        = schema.GroupKind{Group: Group, Kind: ClusterProviderConfigKind}.String()
	ClusterProviderConfigGroupVersionKind = SchemeGroupVersion.WithKind(ClusterProviderConfigKind)

	ProviderConfigUsageKind                 = reflect.TypeFor[ProviderConfigUsage]().Name()
	ProviderConfigUsageGroupVersionKind     = SchemeGroupVersion.WithKind(ProviderConfigUsageKind)
	ProviderConfigUsageListKind             = reflect.TypeFor[ProviderConfigUsageList]().Name()
	ProviderConfigUsageListGroupVersionKind = SchemeGroupVersion.WithKind(ProviderConfigUsageListKind)
)

func init() {
	SchemeBuilder.Register(
		&ConfigurationItem{}, &ConfigurationItemList{},
		&Relationship{}, &RelationshipList{},
		&Notification{}, &NotificationList{},
		&ChangeRecord{}, &ChangeRecordList{},
		&ProviderConfig{}, &ProviderConfigList{},
		&ClusterProviderConfig{}, &ClusterProviderConfigList{},
		&ProviderConfigUsage{}, &ProviderConfigUsageList{},
	)
}
