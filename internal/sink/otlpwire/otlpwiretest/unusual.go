package otlpwiretest

import "google.golang.org/protobuf/encoding/protowire"

// Case is a hand-made trace request encoding.
type Case struct {
	Name string
	Raw  []byte
	// Fast says the fast decoder reads it itself rather than leaving it
	// to protobuf.
	Fast bool
}

// Unusual are encodings protobuf reads in its own way (merges, unknown and
// mistyped fields, bad UTF-8, bad lengths), and some it refuses.
func Unusual() []Case {
	res := Marshal(Resource())
	kv := func(k string, v []byte) []byte { return Field(Field(nil, 1, []byte(k)), 2, v) }
	group := protowire.AppendTag(protowire.AppendTag(nil, 98, protowire.StartGroupType), 98, protowire.EndGroupType)
	return []Case{
		{Name: "fields out of order", Raw: Request(res, ValidSpan()), Fast: true},
		{Name: "unknown fields", Raw: Request(Varint(res, 99, 1), Varint(ValidSpan(), 99, 3)), Fast: true},
		{Name: "unknown group", Raw: Request(res, append(ValidSpan(), group...)), Fast: true},
		{Name: "name twice, last wins", Raw: Request(res, Field(ValidSpan(), 5, []byte("second"))), Fast: true},
		{Name: "trace id twice, last wins", Raw: Request(res, Field(ValidSpan(), 1, make([]byte, 16))), Fast: true},
		{Name: "status twice is merged", Raw: Request(res, Field(Field(ValidSpan(), 15, Varint(nil, 3, 2)), 15, Field(nil, 2, []byte("m"))))},
		{Name: "value twice", Raw: Request(res, Field(ValidSpan(), 9, kv("k", Field(Varint(nil, 2, 1), 1, []byte("s")))))},
		{Name: "value with two fields", Raw: Request(res, Field(ValidSpan(), 9, Field(Field(nil, 1, []byte("k")), 2, Field(Varint(nil, 3, 1), 1, []byte("s")))))},
		{Name: "string index value", Raw: Request(res, Field(ValidSpan(), 9, kv("k", Varint(nil, 8, 1))))},
		{Name: "mistyped kind", Raw: Request(res, Field(ValidSpan(), 6, []byte("x")))},
		{Name: "mistyped name", Raw: Request(res, Varint(ValidSpan(), 5, 1))},
		{Name: "mistyped trace id", Raw: Request(res, Varint(ValidSpan(), 1, 1))},
		{Name: "resource twice", Raw: Field(nil, 1, Field(Field(nil, 1, res), 1, res))},
		{Name: "resource twice with spans", Raw: Field(nil, 1, Field(Field(Field(nil, 1, res), 1, Marshal(Resource())), 2, Field(nil, 2, ValidSpan())))},
		{Name: "entity refs", Raw: Request(Field(res, 3, nil), ValidSpan())},
		{Name: "invalid UTF-8 name", Raw: Request(res, Field(ValidSpan(), 5, []byte{0xff}))},
		{Name: "invalid UTF-8 key", Raw: Request(res, Field(ValidSpan(), 9, kv("\xff", nil)))},
		{Name: "invalid UTF-8 in a link", Raw: Request(res, Field(ValidSpan(), 13, Field(nil, 3, []byte{0xff})))},
		{Name: "invalid UTF-8 in the resource", Raw: Request(Field(res, 1, kv("k", Field(nil, 1, []byte{0xc3}))), ValidSpan())},
		{Name: "truncated", Raw: Request(res, ValidSpan())[:20]},
		{Name: "length past the end", Raw: []byte{0x0a, 0x7f, 0x0a}},
		{Name: "field number zero", Raw: []byte{0x00, 0x01}},
		// A tag of five bytes whose number is past 2^29-1, which
		// protowire.ConsumeTag would truncate and accept (found by
		// FuzzDecodeTraces).
		{Name: "field number past the maximum", Raw: []byte("\xc0\xc0\xc0\xc00\xc0\xc0\x80\xff0")},
		{Name: "start time past 2262", Raw: Request(res, Fixed64(ValidSpan(), 7, 1<<64-1))},
		{Name: "event time past 2262", Raw: Request(res, Field(ValidSpan(), 11, Fixed64(nil, 1, 1<<63)))},
		{Name: "the largest time the sink keeps", Raw: Request(res, Fixed64(ValidSpan(), 8, 1<<63-1)), Fast: true},
		{Name: "the largest field number", Raw: protowire.AppendVarint(protowire.AppendTag(nil, protowire.MaxValidNumber, protowire.VarintType), 1), Fast: true},
	}
}

// SpanCases are spans in orders and encodings that the validator's span
// loop must read as its general walk does.
func SpanCases() [][]byte {
	res := Marshal(Resource())
	attr := Field(Field(nil, 1, []byte("k")), 2, Field(nil, 1, []byte("v")))
	long := make([]byte, 200)
	for i := range long {
		long[i] = 'n'
	}
	return [][]byte{
		Marshal(RichRequest()),
		Request(res, ValidSpan()),
		// Times and attributes before the ids, a repeated trace id (the last wins).
		Request(res, Field(Field(Field(Fixed64(Fixed64(Field(nil, 9, attr), 8, 9), 7, 3), 1, TraceA), 2, SpanA), 1, make([]byte, 16))),
		// A name of 200 bytes (a two-byte length), a kind of 200 (a two-byte varint).
		Request(res, Varint(Field(ValidSpan(), 5, long), 6, 200)),
		// An attribute that is not in a short form, then the parent.
		Request(res, Field(Field(ValidSpan(), 9, Field(nil, 2, Field(nil, 5, nil))), 4, SpanA)),
		// Unknown field between the known ones, then a status and an event.
		Request(res, Field(Field(Varint(ValidSpan(), 99, 1), 15, Varint(nil, 3, 2)), 11, Field(nil, 2, []byte("e")))),
		// Cut inside a fixed64, and inside a name.
		Request(res, Fixed64(ValidSpan(), 7, 1)[:len(ValidSpan())+5]),
		Request(res, append(ValidSpan(), 0x2a, 0x05, 'a')),
		// A name that is not UTF-8 after fields read the short way.
		Request(res, Field(Fixed64(ValidSpan(), 8, 2), 5, []byte{0xff})),
	}
}
