package lang

// funcSpec describes a bpftrace function for the checker.
type funcSpec struct {
	min, max int // argument counts; max < 0 means no limit
	// exact makes a too-short call say "requires N arguments" rather than
	// "requires at least N arguments", as bpftrace 0.17 does for functions
	// that later versions extended.
	exact  bool
	agg    AggKind // set for aggregation functions
	unsafe bool
	// fmtArg is the index+1 of an argument that must be a string literal
	// format (printf, system, cat, time); 0 when none.
	fmtArg int
	ret    *Type // result type; nil when computed by the checker
}

// functions are the known functions of the language.
var functions = map[string]*funcSpec{
	"printf":       {min: 1, max: -1, fmtArg: 1, ret: typeNone},
	"print":        {min: 1, max: 3, ret: typeNone},
	"time":         {min: 0, max: 1, fmtArg: 1, ret: typeNone},
	"strftime":     {min: 2, max: 2, ret: &Type{Kind: KindTimestamp, Size: 16}},
	"str":          {min: 1, max: 2},
	"buf":          {min: 1, max: 2},
	"join":         {min: 1, max: 2, ret: typeNone},
	"ksym":         {min: 1, max: 1, ret: &Type{Kind: KindSymbol}},
	"usym":         {min: 1, max: 1, ret: &Type{Kind: KindSymbol, User: true}},
	"kaddr":        {min: 1, max: 1, ret: typeUint64},
	"uaddr":        {min: 1, max: 1, ret: typeUint64},
	"ntop":         {min: 1, max: 2, ret: &Type{Kind: KindInet, Size: 24}},
	"pton":         {min: 1, max: 1},
	"macaddr":      {min: 1, max: 1, ret: &Type{Kind: KindMac, Size: 6}},
	"bswap":        {min: 1, max: 1},
	"strncmp":      {min: 3, max: 3, ret: typeUint64},
	"strcontains":  {min: 2, max: 2, ret: typeUint64},
	"sizeof":       {min: 1, max: 1, exact: true, ret: typeUint64},
	"offsetof":     {min: 2, max: 2, ret: typeUint64},
	"exit":         {min: 0, max: 1, ret: typeNone},
	"cat":          {min: 1, max: -1, fmtArg: 1, ret: typeNone},
	"signal":       {min: 1, max: 1, unsafe: true, ret: typeNone},
	"system":       {min: 1, max: -1, unsafe: true, fmtArg: 1, ret: typeNone},
	"override":     {min: 1, max: 1, unsafe: true, ret: typeNone},
	"cgroupid":     {min: 1, max: 1, ret: typeUint64},
	"cgroup_path":  {min: 1, max: 2, ret: &Type{Kind: KindCgroupPath}},
	"strerror":     {min: 1, max: 1, ret: &Type{Kind: KindStrerror}},
	"path":         {min: 1, max: 2, ret: strType(64)},
	"reg":          {min: 1, max: 1, ret: typeUint64},
	"kptr":         {min: 1, max: 1},
	"uptr":         {min: 1, max: 1},
	"unwatch":      {min: 1, max: 1, ret: typeNone},
	"skboutput":    {min: 4, max: 4, ret: typeUint64},
	"debugf":       {min: 1, max: -1, fmtArg: 1, ret: typeNone},
	"percpu_kaddr": {min: 1, max: 2, ret: typeUint64},
	"kstack":       {min: 0, max: 2},
	"ustack":       {min: 0, max: 2},
	"nsecs":        {min: 0, max: 1, ret: typeUint64},
	"count":        {min: 0, max: 0, agg: AggCount},
	"sum":          {min: 1, max: 1, agg: AggSum},
	"avg":          {min: 1, max: 1, agg: AggAvg},
	"min":          {min: 1, max: 1, agg: AggMin},
	"max":          {min: 1, max: 1, agg: AggMax},
	"stats":        {min: 1, max: 1, agg: AggStats},
	"hist":         {min: 1, max: 2, exact: true, agg: AggHist},
	"lhist":        {min: 4, max: 4, agg: AggLhist},
	"delete":       {min: 1, max: 2, exact: true, ret: typeNone},
	"clear":        {min: 1, max: 1, ret: typeNone},
	"zero":         {min: 1, max: 1, ret: typeNone},
	"has_key":      {min: 2, max: 2, ret: typeUint64},
	"len":          {min: 1, max: 1, ret: typeUint64},
}

// builtinType returns the type of a builtin variable.
func builtinType(name string) *Type {
	switch name {
	case "comm":
		return strType(16)
	case "username", "probe", "func":
		// func: the probed function's name, known when the program is
		// generated (bpftrace resolves the instruction pointer instead).
		return strType(64)
	case "kstack":
		return &Type{Kind: KindStack}
	case "ustack":
		return &Type{Kind: KindStack, User: true}
	case "rand", "cpid":
		return intType(4, false)
	case "args", "ctx":
		return &Type{Kind: KindUnknown}
	case "retval":
		return &Type{Kind: KindUnknown}
	}
	if len(name) > 4 && name[:4] == "sarg" {
		return typeInt64
	}
	return typeUint64
}

// knownCTypes are C integer type names accepted in casts without a
// preamble definition.
var knownCTypes = map[string]bool{
	"u8": true, "u16": true, "u32": true, "u64": true, "s8": true, "s16": true, "s32": true, "s64": true,
	"__u8": true, "__u16": true, "__u32": true, "__u64": true, "__s8": true, "__s16": true, "__s32": true, "__s64": true,
	"__be16": true, "__be32": true, "__be64": true, "__le16": true, "__le32": true, "__le64": true,
	"int": true, "char": true, "short": true, "long": true, "unsigned": true, "signed": true,
	"size_t": true, "ssize_t": true, "pid_t": true, "uid_t": true, "gid_t": true, "off_t": true,
	"loff_t": true, "dev_t": true, "umode_t": true, "sector_t": true, "void": true,
	"uint8_t": true, "uint16_t": true, "uint32_t": true, "uint64_t": true,
	"int8_t": true, "int16_t": true, "int32_t": true, "int64_t": true,
}

// castIntType returns the integer type named by an integer type name.
func castIntType(name string) *Type {
	switch name {
	case "bool", "uint8", "u8", "__u8", "uint8_t", "char":
		return intType(1, name == "char")
	case "int8", "s8", "__s8", "int8_t":
		return intType(1, true)
	case "uint16", "u16", "__u16", "uint16_t", "__be16", "__le16", "umode_t":
		return intType(2, false)
	case "int16", "s16", "__s16", "int16_t", "short":
		return intType(2, true)
	case "uint32", "u32", "__u32", "uint32_t", "__be32", "__le32", "uid_t", "gid_t", "dev_t", "unsigned":
		return intType(4, false)
	case "int32", "s32", "__s32", "int32_t", "int", "pid_t", "signed":
		return intType(4, true)
	case "uint64", "u64", "__u64", "uint64_t", "__be64", "__le64", "size_t", "sector_t":
		return intType(8, false)
	case "int64", "s64", "__s64", "int64_t", "long", "ssize_t", "off_t", "loff_t":
		return intType(8, true)
	}
	return nil
}

// stackModes are the identifiers accepted as kstack/ustack modes.
var stackModes = map[string]bool{"bpftrace": true, "perf": true, "raw": true, "build_id": true}
