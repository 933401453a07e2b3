// MARK: - SIPParameter

/// One `;name=value` parameter of a URI (RFC 3261 §19.1.1) or a header field (RFC 3261 §7.3.1).
public struct SIPParameter: Sendable, Hashable, CustomStringConvertible {
    /// The parameter name as written.
    public var name: String
    /// The value as written (a quoted value keeps its quotes), or `nil` for a flag such as `lr` or `rport`.
    public var value: String?

    /// Creates a parameter.
    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }

    /// `name` or `name=value`.
    public var description: String {
        if let value { "\(self.name)=\(value)" } else { self.name }
    }
}

// MARK: - SIPParameters

/// An ordered list of parameters, looked up by case-insensitive name (RFC 3261 §19.1.4, §7.3.1).
///
/// Names are compared ignoring ASCII case and after decoding `%HH` escapes, so `;%6C%72` is found as `lr`
/// (RFC 3261 §19.1.4; RFC 4475 §3.1.1.13). Order and spelling are kept for serialization.
public struct SIPParameters: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral,
    CustomStringConvertible
{
    private var storage: [SIPParameter]

    /// Creates a parameter list.
    public init(_ parameters: [SIPParameter] = []) {
        self.storage = parameters
    }

    /// Creates a parameter list from a literal.
    public init(arrayLiteral elements: SIPParameter...) {
        self.storage = elements
    }

    /// The start index.
    public var startIndex: Int { self.storage.startIndex }
    /// The end index.
    public var endIndex: Int { self.storage.endIndex }
    /// The parameter at `position`.
    public subscript(position: Int) -> SIPParameter { self.storage[position] }

    /// The value of the first parameter called `name`; `nil` if it is absent or has no value.
    /// Use ``contains(_:)`` to test for a flag.
    public subscript(name: String) -> String? {
        self.firstIndex(named: name).flatMap { self.storage[$0].value }
    }

    /// Whether a parameter called `name` is present, with or without a value.
    public func contains(_ name: String) -> Bool {
        self.firstIndex(named: name) != nil
    }

    /// Appends a parameter.
    public mutating func append(name: String, value: String? = nil) {
        self.storage.append(SIPParameter(name: name, value: value))
    }

    /// Sets the first parameter called `name` to `value`, or appends it.
    public mutating func set(_ name: String, to value: String?) {
        if let index = self.firstIndex(named: name) {
            self.storage[index].value = value
        } else {
            self.append(name: name, value: value)
        }
    }

    /// Removes every parameter called `name`.
    public mutating func remove(_ name: String) {
        self.storage.removeAll { Self.matches($0.name, name) }
    }

    /// `;name=value;flag...`, each parameter prefixed by `;`.
    public var description: String {
        var text = ""
        for parameter in self.storage {
            text += ";"
            text += parameter.description
        }
        return text
    }

    private func firstIndex(named name: String) -> Int? {
        self.storage.firstIndex { Self.matches($0.name, name) }
    }

    /// Whether a parameter name as written, in bytes, is `wanted`: the same comparison as the lookups make.
    static func matches(_ stored: SIPBytes, _ wanted: String) -> Bool {
        if equalsIgnoringASCIICase(stored, wanted.utf8) { return true }
        guard stored.contains(ASCII.percent) else { return false }
        return Self.matches(string(stored), wanted)
    }

    private static func matches(_ stored: String, _ wanted: String) -> Bool {
        if equalsIgnoringASCIICase(stored, wanted) { return true }
        guard stored.utf8.contains(ASCII.percent) else { return false }
        return equalsIgnoringASCIICase(percentDecoded(stored), wanted)
    }
}
