// Package cmdb holds the API groups of provider-cmdb, so a manager, a test or the
// composition function can register every provider-cmdb kind with one call.
package cmdb

import (
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

// AddToSchemes lists the scheme builders of every API version served by provider-cmdb.
var AddToSchemes = runtime.SchemeBuilder{v1alpha1.SchemeBuilder.AddToScheme}

// AddToScheme adds every provider-cmdb kind to s.
func AddToScheme(s *runtime.Scheme) error {
	return AddToSchemes.AddToScheme(s)
}
