package fn

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

// maxEgressKey keeps a destination's composition resource and object names (`<app>-uses-egress-<key>`)
// within the 253 characters of an object name, whatever the host.
const maxEgressKey = 160

// egressRecords registers each destination outside the cluster the app names, once however many
// ports it lists, so an impact analysis in the CMDB finds the apps behind a failing third-party API.
// The record is named after the app and the destination: two apps that call the same API each keep
// a record of their own, so deleting one app never retires what the other still depends on.
func egressRecords(a *app) []object {
	if !registered(a) || len(a.spec.Egress) == 0 {
		return nil
	}
	class := a.in.CMDB.EgressClass
	if class == "" {
		class = v1alpha1.ClassApplication
	}
	seen := make(map[string]bool, len(a.spec.Egress))
	objs := make([]object, 0, 2*len(a.spec.Egress))
	for _, e := range a.spec.Egress {
		dest := e.Host + e.CIDR
		if seen[dest] {
			continue
		}
		seen[dest] = true
		objs = append(objs, dependencyRecords(a, "egress-"+egressKey(dest), class, a.namespace+"/"+a.name+" -> "+dest,
			dest+" outside the cluster, reached by xapp "+a.namespace+"/"+a.name)...)
	}
	return objs
}

// egressKey makes a host or range into a name part: `api-stripe-com`, `any-s3-amazonaws-com`,
// `203-0-113-0-24`. A long one is cut and made unique again with a hash of the whole.
func egressKey(dest string) string {
	b := make([]byte, 0, len(dest)+2)
	for _, c := range []byte(dest) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c == '*':
			b = append(b, "any"...)
		default:
			b = append(b, '-')
		}
	}
	if len(b) <= maxEgressKey {
		return string(b)
	}
	sum := sha256.Sum256([]byte(dest))
	return string(b[:maxEgressKey-9]) + "-" + hex.EncodeToString(sum[:4])
}
