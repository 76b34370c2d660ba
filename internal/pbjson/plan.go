package pbjson

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// An encFunc returns nil for a value that encodes to nothing (JSON null): the caller leaves it out.
type (
	encFunc func(st *encState, v reflect.Value, depth int) (*structpb.Value, error)
	decFunc func(v reflect.Value, pv *structpb.Value, depth int) error
)

// A codec is the plan for one type, decided once so that encoding a value never probes interfaces
// or parses tags.
type codec struct {
	typ reflect.Type
	enc encFunc
	dec decFunc

	// For structs handled field by field, in declaration order.
	fields []field
	byName map[string]int
	objEnc bool // enc is encStruct: Encode can skip the Value wrapper
	objDec bool // dec is decStruct
}

type field struct {
	name       string
	index      []int // more than one element when promoted from an embedded struct
	c          *codec
	omitEmpty  bool
	omitZero   func(reflect.Value) bool
	zeroStruct bool // a non-pointer struct: left out when zero or empty
}

// omit reports whether v, which encodes to something, is left out anyway.
func (f *field) omit(v reflect.Value) bool {
	switch {
	case f.omitZero != nil && f.omitZero(v):
		return true
	case f.omitEmpty && isEmpty(v):
		return true
	}
	return f.zeroStruct && v.IsZero()
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

var (
	marshalerType       = reflect.TypeFor[json.Marshaler]()
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	isZeroerType        = reflect.TypeFor[interface{ IsZero() bool }]()
)

// special types are common in Kubernetes objects and would otherwise take the slow MarshalJSON path.
// Protobuf messages in a Go struct (a function input carrying raw JSON) are copied as they are.
var special = map[reflect.Type]struct {
	enc encFunc
	dec decFunc
}{
	reflect.TypeFor[resource.Quantity]():   {encQuantity, decQuantity},
	reflect.TypeFor[intstr.IntOrString]():  {encIntOrString, decIntOrString},
	reflect.TypeFor[metav1.Time]():         {encTime, decTime},
	reflect.TypeFor[metav1.MicroTime]():    {encMicroTime, decMicroTime},
	reflect.TypeFor[metav1.Duration]():     {encDuration, decDuration},
	reflect.TypeFor[json.Number]():         {encNumber, decNumber},
	reflect.TypeFor[*structpb.Value]():     {encProto, decProto},
	reflect.TypeFor[*structpb.Struct]():    {encProto, decProto},
	reflect.TypeFor[*structpb.ListValue](): {encProto, decProto},
}

var (
	cache   sync.Map // reflect.Type -> *codec, complete plans only
	buildMu sync.Mutex
)

func codecFor(t reflect.Type) *codec {
	if c, ok := cache.Load(t); ok {
		return c.(*codec) //nolint:forcetypeassert // only codecs are stored
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
		return c.(*codec) //nolint:forcetypeassert // only codecs are stored
	}
	if c, ok := b.pending[t]; ok {
		return c
	}
	c := &codec{typ: t}
	b.pending[t] = c
	b.fill(c, t)
	return c
}

func (b *builder) fill(c *codec, t reflect.Type) { //nolint:gocyclo // one switch per kind reads best
	if s, ok := special[t]; ok {
		c.enc, c.dec = s.enc, s.dec
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		// Methods with pointer receivers are found on the element, which is addressable here.
		e := b.get(t.Elem())
		c.enc, c.dec = encPtr(e), decPtr(e)
		return
	case reflect.Interface:
		c.enc, c.dec = encInterface, decInterface
		return
	}

	pt := reflect.PointerTo(t)
	switch {
	case t.Implements(marshalerType):
		c.enc = encMarshaler(false)
	case pt.Implements(marshalerType):
		c.enc = encMarshaler(true)
	case t.Implements(textMarshalerType):
		c.enc = encText(false)
	case pt.Implements(textMarshalerType):
		c.enc = encText(true)
	}
	switch {
	case pt.Implements(unmarshalerType):
		c.dec = decUnmarshaler
	case pt.Implements(textUnmarshalerType):
		c.dec = decText
	}
	if c.enc != nil && c.dec != nil {
		return
	}

	var enc encFunc
	var dec decFunc
	switch t.Kind() {
	case reflect.Bool:
		enc, dec = encBool, decBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		enc, dec = encInt, decInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		enc, dec = encUint, decUint
	case reflect.Float32, reflect.Float64:
		enc, dec = encFloat, decFloat
	case reflect.String:
		enc, dec = encString, decString
	case reflect.Struct:
		b.structFields(c, t)
		enc, dec = c.encStruct, c.decStruct
		c.objEnc, c.objDec = c.enc == nil, c.dec == nil
	case reflect.Map:
		enc, dec = encMap(t, b.get(t.Elem())), decMap(t, b.get(t.Elem()))
	case reflect.Slice:
		if p := reflect.PointerTo(t.Elem()); t.Elem().Kind() == reflect.Uint8 &&
			!p.Implements(marshalerType) && !p.Implements(textMarshalerType) {
			enc, dec = encBytes, decBytes
			break
		}
		fallthrough
	case reflect.Array:
		e := b.get(t.Elem())
		enc, dec = encList(e), decList(e)
	default:
		enc, dec = encUnsupported, decUnsupported
	}
	if c.enc == nil {
		c.enc = enc
	}
	if c.dec == nil {
		c.dec = dec
	}
}

// structFields resolves t's JSON fields as encoding/json does: fields of embedded structs are
// promoted, and among fields with the same name the shallowest wins, then the tagged one; a tie
// hides them all.
func (b *builder) structFields(c *codec, t reflect.Type) {
	type candidate struct {
		field
		depth  int
		tagged bool
	}
	type embedded struct {
		t     reflect.Type
		index []int
	}
	var cands []candidate
	seen := map[reflect.Type]bool{}
	level := []embedded{{t: t}}
	for depth := 0; len(level) > 0; depth++ {
		var next []embedded
		for _, e := range level {
			if seen[e.t] {
				continue
			}
			seen[e.t] = true
			for i := range e.t.NumField() {
				sf := e.t.Field(i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if !sf.IsExported() && (!sf.Anonymous || ft.Kind() != reflect.Struct) {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				index := append(slices.Clip(e.index), i)
				if name == "" && ft.Kind() == reflect.Struct && (sf.Anonymous || hasOpt(opts, "inline")) {
					next = append(next, embedded{ft, index})
					continue
				}
				f := field{name: name, index: index, c: b.get(sf.Type), omitEmpty: hasOpt(opts, "omitempty"),
					zeroStruct: sf.Type.Kind() == reflect.Struct}
				if hasOpt(opts, "omitzero") {
					f.omitZero = zeroFunc(sf.Type)
				}
				if name == "" {
					f.name = sf.Name
				}
				cands = append(cands, candidate{f, depth, name != ""})
			}
		}
		level = next
	}

	byName := map[string][]candidate{}
	for _, cd := range cands {
		byName[cd.name] = append(byName[cd.name], cd)
	}
	for _, group := range byName {
		// Candidates were found level by level, so the shallowest come first.
		shallowest := group[0].depth
		group = slices.DeleteFunc(group, func(cd candidate) bool { return cd.depth > shallowest })
		if len(group) > 1 {
			group = slices.DeleteFunc(group, func(cd candidate) bool { return !cd.tagged })
		}
		if len(group) == 1 {
			c.fields = append(c.fields, group[0].field)
		}
	}
	slices.SortFunc(c.fields, func(a, b field) int { return slices.Compare(a.index, b.index) })
	c.byName = make(map[string]int, len(c.fields))
	for i, f := range c.fields {
		c.byName[f.name] = i
	}
}

func hasOpt(opts, opt string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == opt {
			return true
		}
	}
	return false
}

// zeroFunc is encoding/json's omitzero test: an IsZero method if the type has one.
func zeroFunc(t reflect.Type) func(reflect.Value) bool {
	type isZeroer interface{ IsZero() bool }
	switch {
	case (t.Kind() == reflect.Interface || t.Kind() == reflect.Pointer) && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || (v.Kind() == reflect.Interface && v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil()) ||
				v.Interface().(isZeroer).IsZero() //nolint:forcetypeassert // checked above
		}
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.Interface().(isZeroer).IsZero() } //nolint:forcetypeassert // checked above
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool { return addr(v).Interface().(isZeroer).IsZero() } //nolint:forcetypeassert // checked above
	}
	return reflect.Value.IsZero
}

// addr returns a pointer to v, or to a copy of it when v is not addressable (a map value, the
// content of an interface).
func addr(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v.Addr()
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return p
}

// ptr returns v as a *T; T must be v's type.
func ptr[T any](v reflect.Value) *T {
	return addr(v).Interface().(*T) //nolint:forcetypeassert // the codec was chosen by type
}
