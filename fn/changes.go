package fn

import (
	"fmt"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	cmdbv1alpha1 "github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
)

// Change records are the composition resources change-<revision>[-failed], named
// <app>-change-<revision>[-failed], like the announcements.
const resourceChangePrefix = "change-"

// changeRecords are the app's ChangeRecords: the ones composed before, exactly as Crossplane
// observed them, plus one for the latest rollout once it has finished, limited to the newest
// Keep revisions. Only registered apps on a platform that records changes get them.
func changeRecords(a *app, d *v1alpha1.DeployStatus, observed map[string]*fnv1.Resource) []object {
	if !registered(a) || a.in.CMDB.Changes == nil {
		return nil
	}
	var fresh []revisionRecord
	if finished(d) {
		fresh = append(fresh, newChangeRecord(a, d))
	}
	return newestRevisions(observed, resourceChangePrefix, func(name string, rev int64, fp cmdbv1alpha1.ChangeRecordParameters) any {
		c := changeRecord(a, name, rev)
		c.Spec.ForProvider = fp
		return c
	}, fresh, ptrOrDefault(a.in.CMDB.Changes.Keep, defaultKeep))
}

func changeRecord(a *app, name string, rev int64) *cmdbv1alpha1.ChangeRecord {
	return &cmdbv1alpha1.ChangeRecord{
		TypeMeta:   metav1.TypeMeta{APIVersion: cmdbv1alpha1.SchemeGroupVersion.String(), Kind: cmdbv1alpha1.ChangeRecordKind},
		ObjectMeta: revisionMeta(a, name, rev),
		Spec: cmdbv1alpha1.ChangeRecordSpec{
			ManagedResourceSpec: xpv2.ManagedResourceSpec{ProviderConfigReference: cmdbProviderConfig(a)},
		},
	}
}

// newChangeRecord records the finished rollout d against the app's record. The correlation id
// holds the rollout's time as well as its revision: an app deleted and made again starts its
// revisions at 1, and must not find the old app's changes as its own.
func newChangeRecord(a *app, d *v1alpha1.DeployStatus) revisionRecord {
	resource := fmt.Sprintf("%s%d", resourceChangePrefix, d.Revision)
	name := fmt.Sprintf("%s-change-%d", a.name, d.Revision)
	correlation := fmt.Sprintf("xapp:%s/%s:%d", a.namespace, a.name, d.Revision)
	title := fmt.Sprintf("Deploy %s/%s revision %d", a.namespace, a.name, d.Revision)
	outcome, notes := cmdbv1alpha1.ChangeSuccessful, fmt.Sprintf("Revision %d rolled out: every replica updated and available.", d.Revision)
	if d.Outcome == v1alpha1.DeployFailed {
		resource += "-failed"
		name += "-failed"
		correlation += ":failed"
		outcome = cmdbv1alpha1.ChangeUnsuccessful
		notes = fmt.Sprintf("Revision %d failed to roll out: stalled past its progress deadline, or its pods cannot be created.", d.Revision)
	}
	if d.Time != nil {
		correlation += ":" + strconv.FormatInt(d.Time.Unix(), 10)
	}
	desc := "Image " + d.Image + "."
	if u := a.url(); u != "" {
		desc += " " + u
	}
	c := changeRecord(a, name, d.Revision)
	c.Spec.ForProvider = cmdbv1alpha1.ChangeRecordParameters{
		ConfigurationItemRef: &xpv2.NamespacedReference{Name: a.name},
		CorrelationID:        correlation, Title: title, Description: desc,
		Outcome: outcome, CloseNotes: notes, StartTime: d.Time, EndTime: d.Time,
	}
	return revisionRecord{resource: resource, revision: d.Revision, obj: c}
}
