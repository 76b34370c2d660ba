package controller

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"

	"github.com/xapp-dev/xapp/apis/cmdb/v1alpha1"
)

// soakSize is how much the fault soak does: the short size runs in `make test`, the long one
// with XAPP_SOAK=long (`make soak`).
type soakSize struct {
	apps, linked, rels, rounds, minReconciles int
}

func soakSizeFromEnv() soakSize {
	if os.Getenv("XAPP_SOAK") == "long" {
		return soakSize{apps: 24, linked: 12, rels: 11, rounds: 600, minReconciles: 15000}
	}
	return soakSize{apps: 10, linked: 6, rels: 5, rounds: 80, minReconciles: 1000}
}

// soakCounts is what the soak reports; the last group must all be zero.
type soakCounts struct {
	reconciles, calls                                 int
	faults                                            map[fault]int
	edits, handDeletes, moves, crashes, churns        int
	driftInjected, deleted                            int
	duplicates, lost, othersRemoved, driftLeft, stuck int
	leaked                                            int
}

// soak drives ConfigurationItems and Relationships through the provider's managed reconcilers
// against a CMDB test server behind a fault proxy, while people edit, delete and move records
// by hand. Apps 0..linked-1 are the ends of the Relationships and carry other people's links;
// the others are churned: deleted, registered again, deleted by hand in the CMDB.
type soak struct {
	t      *testing.T
	v      soakView
	p      *faultProxy
	h      *harness
	rnd    *rand.Rand
	size   soakSize
	cis    map[string]*v1alpha1.ConfigurationItem
	rels   map[string]*v1alpha1.Relationship
	gone   map[string]*v1alpha1.ConfigurationItem // deleted, waiting for the finalizer
	others []string
	// linkedApps counts the linked apps other people have linked to.
	linkedApps int
	c          soakCounts
}

func TestFaultSoak(t *testing.T) {
	size := soakSizeFromEnv()
	for name, newView := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newSoak(t, newView(), size)
			defer s.v.close()
			defer s.p.Close()
			s.run()
		})
	}
}

func newSoak(t *testing.T, v soakView, size soakSize) *soak {
	t.Helper()
	p := newFaultProxy(v.url(), 42)
	s := &soak{t: t, v: v, p: p, h: newHarness(t, v.backend(), p.URL), rnd: rand.New(rand.NewPCG(7, 9)), size: size,
		cis: map[string]*v1alpha1.ConfigurationItem{}, rels: map[string]*v1alpha1.Relationship{}, gone: map[string]*v1alpha1.ConfigurationItem{}}
	for i := range size.apps {
		s.register(appName(i))
	}
	types := []v1alpha1.RelationshipType{v1alpha1.RelationshipDependsOn, v1alpha1.RelationshipRunsOn, v1alpha1.RelationshipContains}
	for i := range size.rels {
		// Distinct pairs of ends: iTop keeps one link per pair whatever the type.
		r := s.h.link(fmt.Sprintf("rel-%02d", i), appName(i%size.linked), appName((i+1+i/size.linked)%size.linked), types[i%len(types)])
		s.h.create(r)
		s.rels[r.Name] = r
	}
	return s
}

// soakRate is the share of calls the proxy fails; XAPP_SOAK_RATE overrides it when debugging.
var soakRate = func() float64 {
	var r float64
	if _, err := fmt.Sscanf(os.Getenv("XAPP_SOAK_RATE"), "%g", &r); err == nil {
		return r
	}
	return 0.2
}()

func appName(i int) string { return fmt.Sprintf("app-%02d", i) }

// register creates the ConfigurationItem for app name; a third of creates crash right after
// the CMDB made the record.
func (s *soak) register(name string) {
	i := 0
	_, _ = fmt.Sscanf(name, "app-%d", &i)
	c := ci(s.h.ns, name, withParams(func(p *v1alpha1.ConfigurationItemParameters) {
		p.Description = new("the " + name + " app")
		if i%2 == 0 {
			p.OwnerTeam = new("Platform")
		}
		if i >= s.size.linked && i%3 == 0 {
			p.DeletionMode = new(v1alpha1.DeletionDelete)
		}
	}))
	s.h.create(c)
	s.cis[name] = c
	if s.rnd.IntN(3) == 0 {
		s.h.crashNextCreate(name)
	}
}

func (s *soak) run() {
	start := time.Now()
	s.p.setRate(soakRate)
	s.h.setTimeout(40 * time.Millisecond) // an injected timeout costs this much
	for range s.size.rounds {
		s.mischief()
		s.poll()
	}
	s.c.reconciles, s.c.crashes = s.h.reconciles, s.h.crashes
	s.c.calls, s.c.faults = s.p.stats()

	// Faults stop. People drift every record one last time; one poll must put it all right.
	s.p.setRate(0)
	s.h.setTimeout(10 * time.Second)
	for _, name := range slices.Sorted(maps.Keys(s.cis)) {
		if id := meta.GetExternalName(s.cis[name]); id != "" && s.v.exists(id) {
			s.v.edit(id)
			s.c.driftInjected++
		}
	}
	s.poll()
	s.check()
	s.teardown()
	s.report(time.Since(start))
}

// mischief is what happens to the CMDB and the cluster between two polls.
func (s *soak) mischief() {
	live := slices.Sorted(maps.Keys(s.cis))
	pick := func() *v1alpha1.ConfigurationItem { return s.cis[live[s.rnd.IntN(len(live))]] }
	standalone := func(c *v1alpha1.ConfigurationItem) bool { return c.Name >= appName(s.size.linked) }
	switch r := s.rnd.Float64(); {
	case r < 0.20:
		if id := meta.GetExternalName(pick()); id != "" && s.v.exists(id) {
			s.v.edit(id)
			s.c.edits++
		}
	case r < 0.30:
		if c := pick(); standalone(c) && meta.GetExternalName(c) != "" && s.v.exists(meta.GetExternalName(c)) {
			s.v.remove(meta.GetExternalName(c))
			s.c.handDeletes++
		} else if rel := s.rels[fmt.Sprintf("rel-%02d", s.rnd.IntN(s.size.rels))]; meta.GetExternalName(rel) != "" && s.v.exists(meta.GetExternalName(rel)) {
			s.v.remove(meta.GetExternalName(rel))
			s.c.handDeletes++
		}
	case r < 0.40:
		if id := meta.GetExternalName(pick()); id != "" && s.v.exists(id) && s.v.move(id) {
			s.c.moves++
		}
	case r < 0.55:
		if c := pick(); standalone(c) {
			s.h.delete(c)
			delete(s.cis, c.Name)
			s.gone[c.Name] = c
			s.c.churns++
		}
	}
	// Other people link to the linked apps as soon as their records exist.
	for ; s.linkedApps < s.size.linked; s.linkedApps++ {
		id := meta.GetExternalName(s.cis[appName(s.linkedApps)])
		if id == "" || !s.v.exists(id) {
			break
		}
		s.others = append(s.others, s.v.othersLinks(id)...)
	}
}

// poll reconciles every object once, ConfigurationItems first, as a poll interval would; a
// deleted app that is gone is registered again, sometimes.
func (s *soak) poll() {
	for _, name := range slices.Sorted(maps.Keys(s.cis)) {
		_ = s.h.reconcile(s.cis[name])
		s.h.get(s.cis[name])
	}
	for _, name := range slices.Sorted(maps.Keys(s.gone)) {
		c := s.gone[name]
		_ = s.h.reconcile(c)
		if s.h.get(c) {
			continue
		}
		s.c.deleted++
		s.checkDeleted(c)
		delete(s.gone, name)
		if s.rnd.IntN(2) == 0 {
			s.register(name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.rels)) {
		_ = s.h.reconcile(s.rels[name])
		s.h.get(s.rels[name])
	}
}

// checkDeleted counts a deleted ConfigurationItem whose record is still in use.
func (s *soak) checkDeleted(c *v1alpha1.ConfigurationItem) {
	id := c.Status.AtProvider.ID
	if id == "" || !s.v.exists(id) {
		return
	}
	if (c.Spec.ForProvider.DeletionMode != nil && *c.Spec.ForProvider.DeletionMode == v1alpha1.DeletionDelete) || !s.v.retired(id) {
		s.c.leaked++
		s.t.Errorf("%s is gone but its record %s is still in use", c.Name, id)
	}
}

// check counts, one poll after the faults stopped, what the issue asks to be zero.
func (s *soak) check() {
	for _, name := range slices.Sorted(maps.Keys(s.cis)) {
		c := s.cis[name]
		id := meta.GetExternalName(c)
		switch {
		case id == "" || !s.v.exists(id):
			s.c.lost++
			s.t.Errorf("%s: no record after the first fault-free poll (external name %q): %s", name, id, readyOrWhy(s.t.Context(), s.h.kube, c))
		case s.v.retired(id) || s.v.description(id) != *c.Spec.ForProvider.Description || !s.v.inPlace(id) ||
			(c.Spec.ForProvider.OwnerTeam != nil && !s.v.owned(id, *c.Spec.ForProvider.OwnerTeam)):
			s.c.driftLeft++
			s.t.Errorf("%s: record %s still drifted after one fault-free poll: retired %t, description %q, in place %t, owner team kept %t",
				name, id, s.v.retired(id), s.v.description(id), s.v.inPlace(id), c.Spec.ForProvider.OwnerTeam == nil || s.v.owned(id, *c.Spec.ForProvider.OwnerTeam))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.rels)) {
		r := s.rels[name]
		p, c := meta.GetExternalName(s.cis[r.Spec.ForProvider.ParentRef.Name]), meta.GetExternalName(s.cis[r.Spec.ForProvider.ChildRef.Name])
		if l := s.v.links(p, c); len(l) == 0 || !slices.Contains(l, meta.GetExternalName(r)) {
			s.c.lost++
			s.t.Errorf("%s: link %s -> %s not held after the first fault-free poll: links %v, external name %q", name, p, c, l, meta.GetExternalName(r))
		}
	}
	s.c.duplicates = s.v.duplicates()
	for _, id := range s.others {
		if !s.v.exists(id) {
			s.c.othersRemoved++
		}
	}
}

// teardown deletes everything and counts objects whose finalizer stays.
func (s *soak) teardown() {
	all := make([]client.Object, 0, len(s.rels)+2*len(s.cis)+len(s.gone))
	for _, name := range slices.Sorted(maps.Keys(s.rels)) {
		all = append(all, s.rels[name])
	}
	for _, name := range slices.Sorted(maps.Keys(s.cis)) {
		all = append(all, s.cis[name])
		s.gone[name] = s.cis[name]
	}
	for _, o := range all {
		s.h.delete(o)
	}
	for _, c := range s.gone {
		all = append(all, c)
	}
	for range 4 {
		for _, o := range all {
			if s.h.get(o) {
				_ = s.h.reconcile(o)
			}
		}
	}
	for _, o := range all {
		if s.h.get(o) {
			s.c.stuck++
			s.t.Errorf("%s is still there after deletion: finalizers %v, %s", o.GetName(), o.GetFinalizers(), readyOrWhy(s.t.Context(), s.h.kube, o))
			continue
		}
		if c, ok := o.(*v1alpha1.ConfigurationItem); ok {
			s.c.deleted++
			s.checkDeleted(c)
		}
	}
}

func (s *soak) report(took time.Duration) {
	c := s.c
	faults := 0
	kinds := make([]string, 0, len(c.faults))
	for _, f := range slices.Sorted(maps.Keys(c.faults)) {
		faults += c.faults[f]
		kinds = append(kinds, fmt.Sprintf("%s %d", f, c.faults[f]))
	}
	s.t.Logf("%s soak (%s): %d reconciles under faults, %d CMDB calls, %d failed (%.1f%%): %s; crashes after create %d, hand edits %d, hand deletions %d, moves to another organisation %d, apps deleted and registered again %d",
		s.v.backend(), took.Round(time.Millisecond), c.reconciles, c.calls, faults, 100*float64(faults)/float64(max(c.calls, 1)), strings.Join(kinds, ", "),
		c.crashes, c.edits, c.handDeletes, c.moves, c.churns)
	s.t.Logf("%s soak results: duplicates %d, lost records %d, other people's links removed %d of %d, drift corrected within one poll %d of %d, deleted objects gone with finalizer %d of %d (stuck %d, records left in use %d)",
		s.v.backend(), c.duplicates, c.lost, c.othersRemoved, len(s.others), c.driftInjected-c.driftLeft, c.driftInjected, c.deleted, c.deleted+c.stuck, c.stuck, c.leaked)
	if c.reconciles < s.size.minReconciles {
		s.t.Errorf("only %d reconciles under faults, want at least %d", c.reconciles, s.size.minReconciles)
	}
	if c.duplicates+c.lost+c.othersRemoved+c.driftLeft+c.stuck+c.leaked != 0 {
		s.t.Errorf("the soak left damage: %+v", c)
	}
}
