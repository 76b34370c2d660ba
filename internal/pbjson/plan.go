package pbjson

import (
	"cmp"
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

type (
	// An encFunc returns nothing for a value that encodes to JSON null.
	encFunc func(st *encState, v reflect.Value, depth int) (*structpb.Value, error)
	// A decFunc never sees null; decValue handles it. v is always addressable.
	decFunc func(v reflect.Value, pv *structpb.Value, depth int) error
)

// A codec is the plan for one type, decided once so that encoding a value never parses tags or
// probes for interfaces.
type codec struct {
	typ    reflect.Type
	enc    encFunc
	dec    decFunc
	fields []field        // of a struct encoded field by field, in declaration order
	byName map[string]int // index into fields
}

type field struct {
	name       string
	index      []int // more than one step when promoted from an embedded struct
	c          *codec
	omitEmpty  bool
	omitZero   func(reflect.Value) bool // nil without omitzero
	zeroStruct bool                     // a non-pointer struct: left out when zero or empty
	quick      quickOmit                // how to see, from memory, that the field is left out
	offset     uintptr                  // of the field from its struct, when quick is not quickNone
}

// omit reports whether v is left out before it is even encoded.
func (f *field) omit(v reflect.Value) bool {
	return f.omitZero != nil && f.omitZero(v) || f.omitEmpty && isEmpty(v) || f.zeroStruct && v.IsZero()
}

// isEmpty is encoding/json's omitempty test. Structs are never empty to it.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Struct:
		return false
	}
	return v.IsZero()
}

var (
	marshalerType       = reflect.TypeFor[json.Marshaler]()
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	isZeroerType        = reflect.TypeFor[interface{ IsZero() bool }]()
)

// special types are common in Kubernetes objects and would otherwise take the slow MarshalJSON path.
var special = map[reflect.Type]struct {
	enc encFunc
	dec decFunc
}{
	reflect.TypeFor[resource.Quantity]():  {encQuantity, decQuantity},
	reflect.TypeFor[intstr.IntOrString](): {encIntOrString, decIntOrString},
	reflect.TypeFor[metav1.Time]():        {encTime(time.RFC3339), decTime(time.RFC3339)},
	reflect.TypeFor[metav1.MicroTime]():   {encTime(metav1.RFC3339Micro), decTime(metav1.RFC3339Micro)},
	reflect.TypeFor[metav1.Duration]():    {encDuration, decDuration},
}

var (
	cache   sync.Map // reflect.Type -> *codec, complete plans only
	buildMu sync.Mutex
)

func codecFor(t reflect.Type) *codec {
	if c, ok := cache.Load(t); ok {
		return c.(*codec)
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	b := builder{pending: map[reflect.Type]*codec{}}
	c := b.get(t)
	// Publish only now: a recursive type refers to codecs that were still being filled.
	for t, c := range b.pending {
		cache.Store(t, c)
	}
	return c
}

type builder struct{ pending map[reflect.Type]*codec }

func (b *builder) get(t reflect.Type) *codec {
	if c, ok := cache.Load(t); ok {
		return c.(*codec)
	}
	if c, ok := b.pending[t]; ok {
		return c
	}
	c := &codec{typ: t}
	b.pending[t] = c
	b.fill(c, t)
	return c
}

func (b *builder) fill(c *codec, t reflect.Type) {
	if s, ok := special[t]; ok {
		c.enc, c.dec = s.enc, s.dec
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		// Methods with pointer receivers are then found on the element, which is addressable.
		e := b.get(t.Elem())
		c.enc, c.dec = encPtr(e), decPtr(e)
		return
	case reflect.Interface:
		c.enc, c.dec = encInterface, decInterface
		return
	}
	pt := reflect.PointerTo(t)
	switch {
	case pt.Implements(marshalerType): // the pointer's method set includes the value's
		c.enc = encMarshaler
	case pt.Implements(textMarshalerType):
		c.enc = encText
	}
	switch {
	case pt.Implements(unmarshalerType):
		c.dec = decUnmarshaler
	case pt.Implements(textUnmarshalerType):
		c.dec = decText
	}
	enc, dec := encScalar, decScalar
	switch t.Kind() {
	case reflect.Struct:
		if c.enc == nil || c.dec == nil {
			b.structFields(c, t)
		}
		enc, dec = c.encStruct, c.decStruct
	case reflect.Map:
		e := b.get(t.Elem())
		enc, dec = encMap(e), decMap(e)
	case reflect.Slice, reflect.Array:
		if p := reflect.PointerTo(t.Elem()); t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 &&
			!p.Implements(marshalerType) && !p.Implements(textMarshalerType) {
			enc, dec = encBytes, decBytes
			break
		}
		e := b.get(t.Elem())
		enc, dec = encList(e), decList(e)
	}
	if c.enc == nil {
		c.enc = enc
	}
	if c.dec == nil {
		c.dec = dec
	}
}

// A candidate is a JSON field found in a struct, before name conflicts are resolved.
type candidate struct {
	field
	depth  int
	tagged bool
}

// structFields resolves t's JSON fields as encoding/json does: fields of embedded structs are
// promoted, and among fields of the same name the shallowest wins, then the tagged one; a tie
// hides them all.
func (b *builder) structFields(c *codec, t reflect.Type) {
	type embedded struct {
		t     reflect.Type
		index []int
	}
	var found []candidate
	seen := map[reflect.Type]bool{}
	level := []embedded{{t: t}}
	for depth := 0; len(level) > 0; depth++ {
		var next []embedded
		for _, e := range level {
			if seen[e.t] {
				continue
			}
			for i := range e.t.NumField() {
				sf := e.t.Field(i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				tag := sf.Tag.Get("json")
				if tag == "-" || !sf.IsExported() && (!sf.Anonymous || ft.Kind() != reflect.Struct) {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				index := append(slices.Clip(e.index), i)
				if name == "" && ft.Kind() == reflect.Struct && (sf.Anonymous || hasOpt(opts, "inline")) {
					next = append(next, embedded{ft, index})
					continue
				}
				f := field{name: cmp.Or(name, sf.Name), index: index, c: b.get(sf.Type),
					omitEmpty: hasOpt(opts, "omitempty"), zeroStruct: sf.Type.Kind() == reflect.Struct}
				if hasOpt(opts, "omitzero") {
					f.omitZero = zeroFunc(sf.Type)
				}
				f.quick, f.offset = quickFor(&f, t, index)
				found = append(found, candidate{f, depth, name != ""})
			}
		}
		// A type embedded twice at one depth is walked twice: its fields then tie and hide each
		// other, as Go's selectors do. Deeper down, it is not walked again.
		for _, e := range level {
			seen[e.t] = true
		}
		level = next
	}
	c.fields = dominant(found)
	c.byName = make(map[string]int, len(c.fields))
	for i, f := range c.fields {
		c.byName[f.name] = i
	}
}

// dominant keeps, for each name, the shallowest field, or the tagged one among the shallowest, in
// declaration order. found is in the order structFields walks, shallowest first.
func dominant(found []candidate) []field {
	byName := map[string][]candidate{}
	for _, cd := range found {
		byName[cd.name] = append(byName[cd.name], cd)
	}
	var fields []field
	for _, group := range byName {
		shallowest := group[0].depth
		group = slices.DeleteFunc(group, func(cd candidate) bool { return cd.depth > shallowest })
		if len(group) > 1 {
			group = slices.DeleteFunc(group, func(cd candidate) bool { return !cd.tagged })
		}
		if len(group) == 1 {
			fields = append(fields, group[0].field)
		}
	}
	slices.SortFunc(fields, func(a, b field) int { return slices.Compare(a.index, b.index) })
	return fields
}

func hasOpt(opts, opt string) bool {
	return slices.Contains(strings.Split(opts, ","), opt)
}

// zeroFunc is encoding/json's omitzero test: the type's IsZero method if it has one.
func zeroFunc(t reflect.Type) func(reflect.Value) bool {
	type isZeroer interface{ IsZero() bool }
	switch {
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if v.Kind() == reflect.Interface && !v.IsNil() {
				v = v.Elem() // a nil pointer in it would make a value receiver panic
			}
			if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
				return true
			}
			return v.Interface().(isZeroer).IsZero()
		}
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool { return addr(v).Interface().(isZeroer).IsZero() }
	}
	return reflect.Value.IsZero
}

// addr returns a pointer to v, or to a copy of v when it is not addressable (a map value, the
// content of an interface).
func addr(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v.Addr()
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return p
}

// ptr returns v, which must be of type T, as a *T.
func ptr[T any](v reflect.Value) *T {
	return addr(v).Interface().(*T)
}
