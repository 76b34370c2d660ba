// Package cmdbtest opens provider-cmdb's protocol-faithful ServiceNow and iTop test servers to tests
// outside provider/: the end-to-end harness runs the real provider against them. The servers stay
// under provider/internal, next to the clients whose behaviour they pin down; this package only
// names them.
package cmdbtest

import impl "github.com/xapp-dev/xapp/provider/internal/clients/cmdbtest"

type (
	// ServiceNow is a ServiceNow instance: Table API and Identification and Reconciliation.
	ServiceNow = impl.ServiceNow
	// SNUser is an account on the ServiceNow instance.
	SNUser = impl.SNUser
	// ITop is an iTop instance's REST/JSON API.
	ITop = impl.ITop
	// ITopUser is an account on the iTop instance.
	ITopUser = impl.ITopUser
)

// NewServiceNow starts an instance with the admin user "admin"/"admin" and the given support groups.
func NewServiceNow(groups ...string) *ServiceNow { return impl.NewServiceNow(groups...) }

// NewITop starts an instance with the given teams.
func NewITop(teams ...string) *ITop { return impl.NewITop(teams...) }
