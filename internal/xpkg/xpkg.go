// Package xpkg builds Crossplane packages without Docker. A Function or Provider package embeds a
// runtime image; building it needs no base image and no daemon: the binary is static, so the image is
// one layer holding it, made with go-containerregistry and handed to `crossplane xpkg build` as a
// tarball.
package xpkg

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

const (
	errReadBinary = "cannot read the binary"
	errLayer      = "cannot make the image layer"
	errConfig     = "cannot set the image config"
	errWrite      = "cannot write the image tarball"
)

// Nonroot is the user the runtime runs as, as in distroless images: never root in the cluster.
const Nonroot = "65532:65532"

// Runtime describes a runtime image: one static binary run as its entrypoint.
type Runtime struct {
	// Binary is the path of the static binary to put in the image.
	Binary string
	// Path is where the binary lands in the image, e.g. /function.
	Path string
	// Args are the entrypoint's default arguments.
	Args []string
	// Ports the runtime listens on (the function's gRPC port, 9443).
	Ports []string
	// OS and Architecture of the binary.
	OS, Architecture string
}

// Image returns the runtime image. The layer's timestamps are zero, so the same binary gives the same
// digest on every machine.
func (r Runtime) Image() (v1.Image, error) {
	bin, err := os.ReadFile(r.Binary)
	if err != nil {
		return nil, errors.Wrap(err, errReadBinary)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Typeflag: tar.TypeDir, Name: path.Dir(r.Path)[1:] + "/", Mode: 0o755},
		{Typeflag: tar.TypeReg, Name: r.Path[1:], Mode: 0o755, Size: int64(len(bin)), Uid: 65532, Gid: 65532},
	} {
		if h.Name == "/" || h.Name == "" {
			continue
		}
		h.ModTime = time.Unix(0, 0)
		if err := tw.WriteHeader(h); err != nil {
			return nil, errors.Wrap(err, errLayer)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(bin); err != nil {
				return nil, errors.Wrap(err, errLayer)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, errors.Wrap(err, errLayer)
	}
	b := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		return nil, errors.Wrap(err, errLayer)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, errors.Wrap(err, errLayer)
	}
	ports := make(map[string]struct{}, len(r.Ports))
	for _, p := range r.Ports {
		ports[p] = struct{}{}
	}
	// Start from the config AppendLayers made: it holds the layer's diff ID, which a config written
	// from scratch would lose.
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, errors.Wrap(err, errConfig)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = r.OS, r.Architecture
	cfg.Config = v1.Config{Entrypoint: []string{r.Path}, Cmd: r.Args, User: Nonroot, ExposedPorts: ports}
	img, err = mutate.ConfigFile(img, cfg)
	return img, errors.Wrap(err, errConfig)
}

// WriteTarball writes img as a `docker save` style tarball tagged tag, the form `crossplane xpkg build
// --embed-runtime-image-tarball` reads.
func WriteTarball(img v1.Image, tag, file string) error {
	t, err := name.NewTag(tag)
	if err != nil {
		return errors.Wrap(err, errWrite)
	}
	return errors.Wrap(tarball.WriteToFile(file, t, img), errWrite)
}
