// MARK: - SIPHeaders

/// The header fields of a SIP message, in order and as spelled (RFC 3261 §7.3).
///
/// Lookup ignores case and resolves compact forms (RFC 3261 §7.3.3 and later extensions): `v` is `Via`,
/// `i` is `Call-ID`, `f` is `From`, `t` is `To`, `m` is `Contact`, `l` is `Content-Length`, `c` is
/// `Content-Type`, `k` is `Supported`, `s` is `Subject`, `e` is `Content-Encoding`, `o` is `Event`, `u` is
/// `Allow-Events`, `x` is `Session-Expires`, `r` is `Refer-To`, `b` is `Referred-By`, `a`/`j`/`d` are
/// `Accept-Contact`/`Reject-Contact`/`Request-Disposition`, `y` is `Identity` and `n` is `Identity-Info`.
/// Looking up `Via` finds `v` lines and looking up `v` finds `Via` lines.
public struct SIPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header field, with the well-known header its name spells, found once when the field is made so that
    /// lookups compare a number instead of the name.
    struct Field: Sendable, Hashable {
        let name: String
        var value: String
        let kind: SIPHeaderKey.Kind

        init(name: String, value: String) {
            self.init(name: name, value: value, kind: SIPHeaderKey.kind(of: name.utf8))
        }

        /// A field whose kind the caller found, from the bytes of its name (``SIPHeaderKey/kind(of:)``).
        init(name: String, value: String, kind: SIPHeaderKey.Kind) {
            self.name = name
            self.value = value
            self.kind = kind
        }
    }

    private(set) var fields: [Field]

    /// Creates an empty header section.
    public init() {
        self.fields = []
    }

    /// Creates headers from `(name, value)` pairs, in order.
    public init(_ headers: [(String, String)]) {
        self.fields = headers.map { Field(name: $0.0, value: $0.1) }
    }

    /// Creates headers from a literal, in order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    init(fields: [Field]) {
        self.fields = fields
    }

    /// The number of header fields.
    public var count: Int { self.fields.count }

    /// Iterates over the fields as written.
    public func makeIterator() -> Iterator {
        Iterator(fields: self.fields.makeIterator())
    }

    /// An iterator over the fields as written, as `(name, value)` pairs.
    ///
    /// A concrete type rather than an opaque one, so that iterating from another module runs specialized code.
    public struct Iterator: IteratorProtocol {
        var fields: IndexingIterator<[Field]>

        /// The next field, or `nil` after the last.
        public mutating func next() -> (name: String, value: String)? {
            self.fields.next().map { (name: $0.name, value: $0.value) }
        }
    }

    /// The value of the first field called `name` (or its compact form), whole, as written.
    ///
    /// For list headers such as Via, use ``values(_:)`` to get the comma-separated elements.
    public subscript(name: String) -> String? {
        self[SIPHeaderKey(name)]
    }

    /// Whether a field called `name` (or its compact form) is present.
    public func contains(_ name: String) -> Bool {
        self[SIPHeaderKey(name)] != nil
    }

    /// The number of fields called `name` (or its compact form); list elements are not split.
    public func count(of name: String) -> Int {
        let key = SIPHeaderKey(name)
        return self.count(of: key)
    }

    /// The values of every field called `name`, in order, with comma-separated lists split into elements
    /// (RFC 3261 §7.3.1: `Via: a, b` is the same as `Via: a` followed by `Via: b`).
    ///
    /// Commas inside quoted strings and `<...>` do not split. Empty elements are dropped. Fields whose grammar
    /// is not a comma-separated list (Call-ID, CSeq, Date, Authorization, WWW-Authenticate, ... ) are
    /// returned whole.
    public func values(_ name: String) -> [String] {
        let key = SIPHeaderKey(name)
        var result: [String] = []
        for field in self.fields where key.matches(field) {
            if key.isSingleValued {
                result.append(field.value)
            } else {
                for element in splitHeaderList(field.value) where !element.isEmpty {
                    result.append(String(element))
                }
            }
        }
        return result
    }

    /// Appends a field.
    public mutating func add(name: String, value: String) {
        self.fields.append(Field(name: name, value: value))
    }

    /// Replaces the first field called `name` (or its compact form) with `name: value` and removes the others;
    /// appends if there is none.
    public mutating func replaceOrAdd(name: String, value: String) {
        let key = SIPHeaderKey(name)
        if let first = self.fields.firstIndex(where: { key.matches($0) }) {
            self.fields[first] = Field(name: name, value: value)
            var index = first + 1
            while index < self.fields.count {
                if key.matches(self.fields[index]) {
                    self.fields.remove(at: index)
                } else {
                    index += 1
                }
            }
        } else {
            self.add(name: name, value: value)
        }
    }

    /// Removes every field called `name` (or its compact form).
    public mutating func remove(name: String) {
        let key = SIPHeaderKey(name)
        self.fields.removeAll { key.matches($0) }
    }

    subscript(key: SIPHeaderKey) -> String? {
        self.fields.first { key.matches($0) }?.value
    }

    /// The value of the first field of a well-known header: the lookups every request makes compare kinds only.
    subscript(known kind: SIPHeaderKey.Kind) -> String? {
        for index in self.fields.indices where self.fields[index].kind == kind {
            return self.fields[index].value
        }
        return nil
    }

    func allValues(_ kind: SIPHeaderKey.Kind) -> [String] {
        self.fields.compactMap { $0.kind == kind ? $0.value : nil }
    }

    func count(of kind: SIPHeaderKey.Kind) -> Int {
        self.fields.reduce(0) { $0 + ($1.kind == kind ? 1 : 0) }
    }

    func count(of key: SIPHeaderKey) -> Int {
        self.fields.reduce(0) { $0 + (key.matches($1) ? 1 : 0) }
    }

    /// Calls `body` with the list elements of every field of `kind`, in order, empty ones kept, for the typed
    /// parsers: as ``values(_:)`` splits them, without building an array.
    func forEachListElement(
        _ kind: SIPHeaderKey.Kind, _ body: (Substring) throws(SIPParseError) -> Void
    ) throws(SIPParseError) {
        for field in self.fields where field.kind == kind {
            try forEachHeaderListElement(field.value, body)
        }
    }
}

// MARK: - SIPHeaderKey

/// A header name prepared for case-insensitive, compact-form-aware matching.
struct SIPHeaderKey: Sendable {
    /// The headers a server looks up on every request; fields of other headers are `.other`.
    enum Kind: UInt8, Sendable, Hashable {
        case other, via, from, to, callID, cseq, maxForwards, contact, contentLength, date, require
        case pAssertedIdentity

        /// Whether a well-known header's grammar is not a comma-separated list (RFC 3261 §20).
        var isSingleValued: Bool {
            switch self {
            case .via, .contact, .require, .pAssertedIdentity, .other: false
            case .from, .to, .callID, .cseq, .maxForwards, .contentLength, .date: true
            }
        }
    }

    /// The full name, lowercased; empty for well-known headers, which are matched by kind.
    let full: [UInt8]
    /// The compact form, lowercased, if there is one.
    let compact: UInt8?
    /// Whether the header's grammar is not a comma-separated list.
    let isSingleValued: Bool
    /// The well-known header this is, if it is one.
    let kind: Kind

    /// The key for `name`; a well-known name's key is its kind alone.
    init(_ name: String) {
        self.kind = Self.kind(of: name.utf8)
        guard self.kind == .other else {
            self.full = []
            self.compact = nil
            self.isSingleValued = self.kind.isSingleValued
            return
        }
        var lowered = name.utf8.map(\.lowercasedASCII)
        if lowered.count == 1, let full = Self.compactForms[lowered[0]] {
            self.compact = lowered[0]
            lowered = Array(full.utf8)
        } else {
            self.compact = Self.fullForms[lowered]
        }
        self.full = lowered
        self.isSingleValued = Self.singleValued.contains(lowered)
    }

    /// Whether `field` is a field of this header: its kind decides for well-known headers.
    func matches(_ field: SIPHeaders.Field) -> Bool {
        self.kind == .other ? field.kind == .other && self.matches(field.name) : field.kind == self.kind
    }

    private func matches(_ name: String) -> Bool {
        let utf8 = name.utf8
        if utf8.count == 1, let compact = self.compact {
            return utf8.first?.lowercasedASCII == compact
        }
        guard utf8.count == self.full.count else { return false }
        var index = 0
        for byte in utf8 {
            guard byte.lowercasedASCII == self.full[index] else { return false }
            index += 1
        }
        return true
    }

    /// The well-known header `name` spells (in any case, or in its compact form), or `.other`: the length and a
    /// byte pick the one candidate, which is then compared. Runs for every header field parsed.
    static func kind(of utf8: some Collection<UInt8>) -> Kind {
        guard let first = utf8.first?.lowercasedASCII else { return .other }
        let candidate: (Kind, StaticString)
        switch utf8.count {
        case 1:
            switch first {
            case UInt8(ascii: "v"): return .via
            case UInt8(ascii: "f"): return .from
            case UInt8(ascii: "t"): return .to
            case UInt8(ascii: "i"): return .callID
            case UInt8(ascii: "m"): return .contact
            case UInt8(ascii: "l"): return .contentLength
            default: return .other
            }
        case 2: candidate = (.to, "to")
        case 3: candidate = (.via, "via")
        case 4:
            switch first {
            case UInt8(ascii: "f"): candidate = (.from, "from")
            case UInt8(ascii: "c"): candidate = (.cseq, "cseq")
            default: candidate = (.date, "date")
            }
        case 7:
            switch first {
            case UInt8(ascii: "r"): candidate = (.require, "require")
            default:
                let second = utf8.dropFirst().first?.lowercasedASCII
                candidate = second == UInt8(ascii: "a") ? (.callID, "call-id") : (.contact, "contact")
            }
        case 12: candidate = (.maxForwards, "max-forwards")
        case 14: candidate = (.contentLength, "content-length")
        case 19: candidate = (.pAssertedIdentity, "p-asserted-identity")
        default: return .other
        }
        let spelled = UnsafeBufferPointer(start: candidate.1.utf8Start, count: candidate.1.utf8CodeUnitCount)
        return equalsIgnoringASCIICase(utf8, spelled) ? candidate.0 : .other
    }

    /// Compact forms: RFC 3261 §7.3.3 and §20, RFC 3515 (r), RFC 3841 (a, j, d), RFC 3892 (b),
    /// RFC 4028 (x), RFC 4474 (y, n), RFC 6665 (o, u).
    private static let compactForms: [UInt8: String] = [
        UInt8(ascii: "a"): "accept-contact", UInt8(ascii: "b"): "referred-by",
        UInt8(ascii: "c"): "content-type", UInt8(ascii: "d"): "request-disposition",
        UInt8(ascii: "e"): "content-encoding", UInt8(ascii: "f"): "from", UInt8(ascii: "i"): "call-id",
        UInt8(ascii: "j"): "reject-contact", UInt8(ascii: "k"): "supported",
        UInt8(ascii: "l"): "content-length", UInt8(ascii: "m"): "contact", UInt8(ascii: "n"): "identity-info",
        UInt8(ascii: "o"): "event", UInt8(ascii: "r"): "refer-to", UInt8(ascii: "s"): "subject",
        UInt8(ascii: "t"): "to", UInt8(ascii: "u"): "allow-events", UInt8(ascii: "v"): "via",
        UInt8(ascii: "x"): "session-expires", UInt8(ascii: "y"): "identity",
    ]

    /// The compact form of each full name that has one.
    private static let fullForms: [[UInt8]: UInt8] = Dictionary(
        uniqueKeysWithValues: compactForms.map { (Array($0.value.utf8), $0.key) }
    )

    /// Headers whose values are not comma-separated lists (RFC 3261 §20), so commas in them do not split.
    private static let singleValued: Set<[UInt8]> = Set(singleValuedNames.map { Array($0.utf8) })

    private static let singleValuedNames: [String] = [
        "call-id", "cseq", "content-length", "content-type", "date", "max-forwards", "from", "to",
        "authorization", "proxy-authorization", "www-authenticate", "proxy-authenticate", "subject",
        "organization", "user-agent", "server", "timestamp", "retry-after", "expires", "min-expires",
        "mime-version", "priority", "reply-to", "refer-to", "referred-by", "identity", "identity-info",
        "event", "session-expires", "min-se", "rseq", "rack",
    ]
}
