package xpkg

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	metav1 "github.com/crossplane/crossplane/apis/v2/pkg/meta/v1"
)

// Repositories of the three packages under the registry prefix they are published to.
const (
	FunctionRepository      = "function-xapp"
	ProviderRepository      = "provider-cmdb"
	ConfigurationRepository = "xapp"
)

// Published says where the packages are published, so the Configuration can depend on the function
// and provider: Crossplane installs them from these references when it installs the Configuration.
type Published struct {
	// Registry is the prefix the packages are pushed under, e.g. registry.example.com/platform.
	Registry string
	// Version of all three packages; the Configuration depends on this version of the other two
	// or any later one.
	Version string
}

// Ref is the reference of the package in repository, without a tag.
func (p Published) Ref(repository string) string { return p.Registry + "/" + repository }

// PackageName is the name Crossplane gives the package it installs as a dependency from ref: its
// repository path as a DNS label (`registry.example.com/platform/function-xapp` becomes
// `platform-function-xapp`).
func PackageName(ref string) (string, error) {
	r, err := name.NewRepository(ref)
	if err != nil {
		return "", errors.Wrapf(err, "cannot parse package reference %q", ref)
	}
	return dnsLabel(r.RepositoryStr()), nil
}

// dnsLabel is crossplane-runtime's xpkg.ToDNSLabel, which core uses to name dependencies. It is
// repeated here because importing that package brings every cloud registry's credential helpers
// into this module; TestPackageName pins it to names Crossplane gave live.
func dnsLabel(s string) string {
	var cut strings.Builder
	for i := range s {
		b := s[i]
		if ('a' <= b && b <= 'z') || ('0' <= b && b <= '9') {
			cut.WriteByte(b)
		}
		if (b == '.' || b == '/' || b == ':' || b == '-') && (i != 0 && i != 62 && i != len(s)-1) {
			cut.WriteByte('-')
		}
		if i == 62 {
			break
		}
	}
	return strings.Trim(cut.String(), "-")
}

// functionRef is a composition step's reference to function-xapp, as written in the repository.
var functionRef = regexp.MustCompile(`(?m)(functionRef:\s*\n\s*name:\s*)function-xapp\s*$`)

// StageConfiguration copies the Configuration's package root into dir, with what only the build
// knows: crossplane.yaml gets its dependencies on the published function and provider, and every
// composition step names the Function the way Crossplane will name it when it installs it.
func StageConfiguration(root, dir string, p Published) error {
	fnName, err := PackageName(p.Ref(FunctionRepository))
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return errors.Wrap(err, "cannot read the configuration package")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return errors.Wrap(err, "cannot create the staging folder")
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, e.Name()))
		if err != nil {
			return errors.Wrap(err, "cannot read the configuration package")
		}
		if e.Name() == "crossplane.yaml" {
			if b, err = withDependencies(b, p); err != nil {
				return err
			}
		} else {
			b = functionRef.ReplaceAll(b, []byte("${1}"+fnName))
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			return errors.Wrap(err, "cannot write the staged configuration package")
		}
	}
	return nil
}

func withDependencies(meta []byte, p Published) ([]byte, error) {
	c := &metav1.Configuration{}
	if err := yaml.UnmarshalStrict(meta, c); err != nil {
		return nil, errors.Wrap(err, "cannot parse the Configuration's crossplane.yaml")
	}
	dep := func(kind, repository string) metav1.Dependency {
		return metav1.Dependency{
			APIVersion: ptr.To("pkg.crossplane.io/v1"), Kind: ptr.To(kind),
			Package: ptr.To(p.Ref(repository)), Version: ">=" + p.Version,
		}
	}
	c.Spec.DependsOn = []metav1.Dependency{dep("Function", FunctionRepository), dep("Provider", ProviderRepository)}
	b, err := yaml.Marshal(c)
	return b, errors.Wrap(err, "cannot write the Configuration's crossplane.yaml")
}
