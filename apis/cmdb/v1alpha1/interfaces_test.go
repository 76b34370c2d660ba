package v1alpha1

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// The controllers hand these types to crossplane-runtime, which needs the generated method
// sets; a generator change that drops one must fail the build, not a reconcile.
var (
	_ resource.ModernManaged            = &ConfigurationItem{}
	_ resource.ModernManaged            = &Relationship{}
	_ resource.ModernManaged            = &Notification{}
	_ resource.ModernManaged            = &ChangeRecord{}
	_ resource.ManagedList              = &ChangeRecordList{}
	_ resource.ManagedList              = &NotificationList{}
	_ resource.ManagedList              = &ConfigurationItemList{}
	_ resource.ManagedList              = &RelationshipList{}
	_ resource.ProviderConfig           = &ProviderConfig{}
	_ resource.ProviderConfig           = &ClusterProviderConfig{}
	_ resource.TypedProviderConfigUsage = &ProviderConfigUsage{}
	_ resource.ProviderConfigUsageList  = &ProviderConfigUsageList{}
)
