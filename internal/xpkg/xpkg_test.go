package xpkg

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/xapp-dev/xapp/internal/render"
)

func TestRuntimeImage(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "function")
	content := []byte("\x7fELF not really a binary")
	if err := os.WriteFile(bin, content, 0o600); err != nil {
		t.Fatal(err)
	}
	r := FunctionRuntime(bin)
	img, err := r.Image()
	if err != nil {
		t.Fatalf("Image(): %v", err)
	}

	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	want := v1.Config{Entrypoint: []string{"/function"}, User: Nonroot, ExposedPorts: map[string]struct{}{"9443/tcp": {}}}
	if diff := cmp.Diff(want, cfg.Config); diff != "" {
		t.Errorf("config: -want, +got:\n%s", diff)
	}
	if cfg.OS != "linux" || len(cfg.RootFS.DiffIDs) != 1 {
		t.Errorf("config: os %q with %d layers, want linux with 1", cfg.OS, len(cfg.RootFS.DiffIDs))
	}

	// The one layer holds the binary, executable, owned by the nonroot user.
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("Layers(): %d layers, %v", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	found := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name != "function" {
			continue
		}
		found = true
		got, _ := io.ReadAll(tr)
		if string(got) != string(content) || h.Mode != 0o755 || h.Uid != 65532 {
			t.Errorf("layer file %s: mode %o uid %d content %q, want 0755, 65532 and the binary", h.Name, h.Mode, h.Uid, got)
		}
	}
	if !found {
		t.Error("layer has no /function")
	}

	// Same binary, same digest: the image is reproducible.
	again, err := r.Image()
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := img.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("digests differ for the same binary: %s, %s", d1, d2)
	}
}

// TestBuildPackages builds the real packages with the real CLI and reads them back.
func TestBuildPackages(t *testing.T) {
	env, err := render.Binaries()
	if err != nil {
		t.Fatal(err)
	}
	provider := os.Getenv("XAPP_PROVIDER_BIN")
	if provider == "" {
		t.Fatal("XAPP_PROVIDER_BIN is not set: run make test")
	}
	out := t.TempDir()
	kind := regexp.MustCompile(`(?m)^kind: (\S+)\n(?:.*\n)*?  name: (\S+)`)
	cases := map[string]struct {
		pkg  Package
		want []string
	}{
		"function": {
			pkg:  Package{Root: "../../package/function", File: filepath.Join(out, "f.xpkg"), Runtime: FunctionRuntime(env.Function)},
			want: []string{"CustomResourceDefinition/inputs.fn.xapp.dev", "Function/function-xapp"},
		},
		"provider": {
			pkg: Package{Root: "../../package/provider", File: filepath.Join(out, "p.xpkg"), Runtime: ProviderRuntime(provider)},
			want: []string{
				"CustomResourceDefinition/changerecords.cmdb.m.xapp.dev", "CustomResourceDefinition/clusterproviderconfigs.cmdb.m.xapp.dev", "CustomResourceDefinition/configurationitems.cmdb.m.xapp.dev",
				"CustomResourceDefinition/notifications.cmdb.m.xapp.dev",
				"CustomResourceDefinition/providerconfigs.cmdb.m.xapp.dev", "CustomResourceDefinition/providerconfigusages.cmdb.m.xapp.dev",
				"CustomResourceDefinition/relationships.cmdb.m.xapp.dev", "Provider/provider-cmdb",
			},
		},
		"configuration": {
			pkg: Package{Root: "../../package/configuration", File: filepath.Join(out, "c.xpkg")},
			want: []string{
				"CompositeResourceDefinition/compositeapps.platform.xapp.dev", "CompositeResourceDefinition/xapppolicies.platform.xapp.dev",
				"CompositeResourceDefinition/xapps.platform.xapp.dev",
				"Composition/app-legacy", "Composition/xapp", "Composition/xapp-ingress", "Composition/xapppolicy", "Configuration/xapp",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if err := Build(context.Background(), env.CLI, tc.pkg); err != nil {
				t.Fatalf("Build(): %v", err)
			}
			gz := filepath.Join(out, name+".gz")
			if b, err := exec.CommandContext(context.Background(), env.CLI, "xpkg", "extract", "--from-xpkg", tc.pkg.File, "-o", gz).CombinedOutput(); err != nil {
				t.Fatalf("xpkg extract: %v: %s", err, b)
			}
			f, err := os.Open(gz)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			y, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range kind.FindAllStringSubmatch(string(y), -1) {
				got = append(got, m[1]+"/"+m[2])
			}
			sort.Strings(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("package contents: -want, +got:\n%s", diff)
			}
		})
	}
}
