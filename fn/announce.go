package fn

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/response"

	cmdbv1alpha1 "github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
	"github.com/xapp-dev/xapp/apis/xapp/v1alpha1"
	"github.com/xapp-dev/xapp/input/v1beta1"
	"github.com/xapp-dev/xapp/internal/pbjson"
)

// Announcements are the composition resources notify-<target>-<revision>[-failed]; the
// revision is also a label, read back from what Crossplane observed.
const (
	resourceNotifyPrefix = "notify-"
	// LabelRevision is the Deployment revision a Notification announces.
	LabelRevision = "xapp.dev/revision"

	defaultKeep = 5

	// EventDeploySucceeded is the CloudEvents type announcing a finished rollout.
	EventDeploySucceeded = "dev.xapp.deploy.succeeded"
	// EventDeployFailed is the CloudEvents type announcing a failed rollout.
	EventDeployFailed = "dev.xapp.deploy.failed"
)

// A revisionRecord is one composed object that records one rollout revision, once: a
// Notification or a ChangeRecord.
type revisionRecord struct {
	resource string
	revision int64
	obj      any
}

// announcements are the app's Notifications: the ones composed before, exactly as Crossplane
// observed them (a Notification cannot change, and re-composing it from a later view of the
// Deployment would try to), plus one per target for the latest rollout once it has finished,
// limited to the newest Keep revisions. Nothing is composed while no target applies.
func announcements(a *app, d *v1alpha1.DeployStatus, observed map[string]*fnv1.Resource) []object {
	targets := notificationTargets(a)
	if len(targets) == 0 {
		return nil
	}
	var fresh []revisionRecord
	if finished(d) {
		for _, t := range targets {
			fresh = append(fresh, newAnnouncement(a, d, t))
		}
	}
	return newestRevisions(observed, resourceNotifyPrefix, func(name string, rev int64, fp cmdbv1alpha1.NotificationParameters) any {
		n := notification(a, name, rev)
		n.Spec.ForProvider = fp
		return n
	}, fresh, ptrOrDefault(a.in.Notifications.Keep, defaultKeep))
}

// finished rollouts are recorded: succeeded or failed.
func finished(d *v1alpha1.DeployStatus) bool {
	return d != nil && d.Outcome != v1alpha1.DeployInProgress
}

// newestRevisions are the records composed before under prefix, read back from what Crossplane
// observed (readBack rebuilds one from its name, revision and observed spec.forProvider), plus the
// fresh ones not composed yet, limited to the newest keep revisions. A record is never rebuilt
// from a later view of the app, and never holds the app's readiness: a webhook or a CMDB being
// down is not the app's problem.
func newestRevisions[P any](observed map[string]*fnv1.Resource, prefix string, readBack func(name string, rev int64, forProvider P) any, fresh []revisionRecord, keep int32) []object {
	byResource := map[string]revisionRecord{}
	for name, r := range observed {
		obs := r.GetResource()
		if !strings.HasPrefix(name, prefix) || obs == nil {
			continue
		}
		var m metav1.ObjectMeta
		if pbjson.DecodeField(obs, "metadata", &m) != nil {
			continue
		}
		rev, err := strconv.ParseInt(m.Labels[LabelRevision], 10, 64)
		if err != nil {
			continue
		}
		var spec struct {
			ForProvider P `json:"forProvider"`
		}
		if pbjson.DecodeField(obs, "spec", &spec) != nil {
			continue
		}
		byResource[name] = revisionRecord{resource: name, revision: rev, obj: readBack(m.Name, rev, spec.ForProvider)}
	}
	for _, r := range fresh {
		if _, ok := byResource[r.resource]; !ok {
			byResource[r.resource] = r
		}
	}
	all := slices.Collect(maps.Values(byResource))
	slices.SortFunc(all, func(x, y revisionRecord) int {
		return cmp.Or(cmp.Compare(y.revision, x.revision), strings.Compare(x.resource, y.resource))
	})
	revs := 0
	objs := make([]object, 0, len(all))
	for i, r := range all {
		if i == 0 || r.revision != all[i-1].revision {
			revs++
		}
		if revs > int(keep) {
			break
		}
		objs = append(objs, object{name: r.resource, obj: r.obj, health: func(*structpb.Struct) health { return ready() }})
	}
	return objs
}

func ptrOrDefault(v int32, d int32) int32 {
	if v <= 0 {
		return d
	}
	return v
}

// notificationTargets are the Input's targets that apply to the app: by namespace, by owner
// team, or all apps when a target names neither.
func notificationTargets(a *app) []v1beta1.NotificationTarget {
	if a.in.Notifications == nil {
		return nil
	}
	team := ""
	if a.spec.CMDB != nil {
		team = a.spec.CMDB.OwnerTeam
	}
	var ts []v1beta1.NotificationTarget
	for _, t := range a.in.Notifications.Targets {
		all := len(t.Namespaces) == 0 && len(t.Teams) == 0
		if all || slices.Contains(t.Namespaces, a.namespace) || (team != "" && slices.Contains(t.Teams, team)) {
			ts = append(ts, t)
		}
	}
	return ts
}

func notification(a *app, name string, rev int64) *cmdbv1alpha1.Notification {
	return &cmdbv1alpha1.Notification{
		TypeMeta:   metav1.TypeMeta{APIVersion: cmdbv1alpha1.SchemeGroupVersion.String(), Kind: cmdbv1alpha1.NotificationKind},
		ObjectMeta: revisionMeta(a, name, rev),
	}
}

// revisionMeta is the metadata of a record of revision rev.
func revisionMeta(a *app, name string, rev int64) metav1.ObjectMeta {
	om := a.objectMeta(name)
	om.Labels = make(map[string]string, len(a.labels)+1)
	maps.Copy(om.Labels, a.labels)
	// The revision says what is recorded; the app's current version would mislabel older ones.
	delete(om.Labels, LabelVersion)
	om.Labels[LabelRevision] = strconv.FormatInt(rev, 10)
	return om
}

// newAnnouncement announces the finished rollout d to target t.
func newAnnouncement(a *app, d *v1alpha1.DeployStatus, t v1beta1.NotificationTarget) revisionRecord {
	resource := fmt.Sprintf("%s%s-%d", resourceNotifyPrefix, t.Name, d.Revision)
	name := fmt.Sprintf("%s-deploy-%d-%s", a.name, d.Revision, t.Name)
	typ, title := EventDeploySucceeded, fmt.Sprintf("%s/%s revision %d is live", a.namespace, a.name, d.Revision)
	if d.Outcome == v1alpha1.DeployFailed {
		resource += "-failed"
		name = fmt.Sprintf("%s-deploy-%d-failed-%s", a.name, d.Revision, t.Name)
		typ, title = EventDeployFailed, fmt.Sprintf("%s/%s revision %d failed to roll out", a.namespace, a.name, d.Revision)
	}
	facts := []cmdbv1alpha1.Fact{
		{Name: "app", Value: a.name}, {Name: "namespace", Value: a.namespace},
		{Name: "revision", Value: strconv.FormatInt(d.Revision, 10)}, {Name: "image", Value: d.Image},
		{Name: "outcome", Value: d.Outcome},
	}
	if a.spec.CMDB != nil {
		facts = append(facts, cmdbv1alpha1.Fact{Name: "team", Value: a.spec.CMDB.OwnerTeam})
	}
	text := "Image " + d.Image + "."
	if u := a.url(); u != "" {
		facts = append(facts, cmdbv1alpha1.Fact{Name: "url", Value: u})
		text += " " + u
	}
	n := notification(a, name, d.Revision)
	n.Spec.ForProvider = cmdbv1alpha1.NotificationParameters{
		Format: cmdbv1alpha1.NotificationFormat(cmp.Or(t.Format, string(cmdbv1alpha1.FormatCloudEvents))),
		Event: cmdbv1alpha1.NotificationEvent{
			Type: typ, Source: "/namespaces/" + a.namespace + "/xapps/" + a.name,
			Subject: "revision/" + strconv.FormatInt(d.Revision, 10), Time: d.Time,
			Title: title, Text: text, Facts: facts,
		},
	}
	if t.URL != "" {
		n.Spec.ForProvider.URL = ptr.To(t.URL)
	}
	if r := t.URLSecretRef; r != nil {
		n.Spec.ForProvider.URLSecretRef = localKey(r)
	}
	if r := t.SigningSecretRef; r != nil {
		n.Spec.ForProvider.SigningSecretRef = localKey(r)
	}
	return revisionRecord{resource: resource, revision: d.Revision, obj: n}
}

func localKey(r *v1beta1.SecretKeyRef) *xpv2.LocalSecretKeySelector {
	return &xpv2.LocalSecretKeySelector{LocalSecretReference: xpv2.LocalSecretReference{Name: r.Name}, Key: r.Key}
}

// announceRollout tells the developer, as an event on the XApp, that a rollout finished: once,
// when the status the XApp had last did not say so yet.
func announceRollout(rsp *fnv1.RunFunctionResponse, xr *structpb.Struct, d *v1alpha1.DeployStatus) {
	if !finished(d) {
		return
	}
	var st v1alpha1.XAppStatus
	if err := pbjson.DecodeField(xr, "status", &st); err == nil && st.Deploy != nil &&
		st.Deploy.Revision == d.Revision && st.Deploy.Outcome == d.Outcome {
		return
	}
	if d.Outcome == v1alpha1.DeployFailed {
		response.Warning(rsp, errors.Errorf("rollout of revision %d (image %s) failed", d.Revision, d.Image)).TargetCompositeAndClaim()
		return
	}
	response.Normalf(rsp, "rollout of revision %d (image %s) succeeded", d.Revision, d.Image).TargetCompositeAndClaim()
}
