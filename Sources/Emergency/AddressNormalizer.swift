/// An address as a customer types it: either the street fields one by one, or the street as one line
/// (`123 1/2 North Main Street, Suite 400`), plus the city, state and ZIP.
public struct AddressDraft: Sendable, Hashable, Codable {
    /// The whole street line, parsed into the fields below when they are not given.
    public var street: String?
    /// Digits, optionally followed by a suffix (`123`, `123A`, `123 1/2`).
    public var houseNumber: String?
    public var houseNumberSuffix: String?
    public var preDirectional: String?
    public var streetName: String?
    public var streetType: String?
    public var postDirectional: String?
    public var unit: String?
    public var floor: String?
    public var room: String?
    public var city: String?
    public var state: String?
    public var zip: String?

    public init(
        street: String? = nil, houseNumber: String? = nil, houseNumberSuffix: String? = nil, preDirectional: String? = nil,
        streetName: String? = nil, streetType: String? = nil, postDirectional: String? = nil, unit: String? = nil,
        floor: String? = nil, room: String? = nil, city: String? = nil, state: String? = nil, zip: String? = nil
    ) {
        self.street = street
        self.houseNumber = houseNumber
        self.houseNumberSuffix = houseNumberSuffix
        self.preDirectional = preDirectional
        self.streetName = streetName
        self.streetType = streetType
        self.postDirectional = postDirectional
        self.unit = unit
        self.floor = floor
        self.room = room
        self.city = city
        self.state = state
        self.zip = zip
    }

    private enum CodingKeys: String, CodingKey {
        case street, houseNumber, houseNumberSuffix, preDirectional, streetName, streetType, postDirectional, unit, floor
        case room, city, state, zip
    }

    /// Decodes the fields; `house_number` may be a JSON number or a string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) throws -> String? { try container.decodeIfPresent(String.self, forKey: key) }
        street = try text(.street)
        if let number = try? container.decodeIfPresent(Int.self, forKey: .houseNumber) {
            houseNumber = String(number)
        } else {
            houseNumber = try text(.houseNumber)
        }
        houseNumberSuffix = try text(.houseNumberSuffix)
        preDirectional = try text(.preDirectional)
        streetName = try text(.streetName)
        streetType = try text(.streetType)
        postDirectional = try text(.postDirectional)
        unit = try text(.unit)
        floor = try text(.floor)
        room = try text(.room)
        city = try text(.city)
        state = try text(.state)
        zip = try text(.zip)
    }
}

/// Normalizes addresses to USPS Publication 28 form: upper case, no punctuation, standard abbreviations for
/// street types, directionals, unit designators and states; ZIP as 5 digits or ZIP+4.
///
/// Pure and deterministic: the same text always gives the same address, so that MSAG matching and
/// duplicate detection compare like with like.
public enum AddressNormalizer {
    /// The normalized address, or the first field that cannot be one.
    public static func normalize(_ draft: AddressDraft) throws(AddressError) -> CivicAddress {
        var draft = draft
        if let line = draft.street, draft.streetName == nil, draft.houseNumber == nil {
            try parse(line: line, into: &draft)
        }
        let (number, attachedSuffix) = try houseNumber(draft.houseNumber)
        let suffix = try houseNumberSuffix(cleaned(draft.houseNumberSuffix) ?? attachedSuffix)
        var name = try required(cleaned(draft.streetName), "street_name")
        var type = try cleaned(draft.streetType).map { text throws(AddressError) in
            guard let type = Abbreviations.streetTypes[text] else {
                throw AddressError(field: "street_type", "'\(text)' is not a USPS street suffix (AVE, ST, BLVD, ...)")
            }
            return type
        }
        // "Main Street" given as the name alone: the last word is the type.
        let words = name.split(separator: " ")
        if type == nil, words.count > 1, let last = words.last, let standard = Abbreviations.streetTypes[String(last)] {
            type = standard
            name = words.dropLast().joined(separator: " ")
        }
        guard name.count <= 60, name.allSatisfy({ $0.isLetter || $0.isNumber || " -&'/".contains($0) }) else {
            throw AddressError(field: "street_name", "use letters, digits, spaces, '-', '&' and '/' (at most 60)")
        }
        let city = try required(cleaned(draft.city), "city")
        guard city.count <= 40, city.allSatisfy({ $0.isLetter || " -'".contains($0) }) else {
            throw AddressError(field: "city", "use letters, spaces, '-' and apostrophes (at most 40)")
        }
        let stateText = try required(cleaned(draft.state), "state")
        guard let state = Abbreviations.states[stateText] else {
            throw AddressError(field: "state", "'\(stateText)' is not a US state, DC or territory")
        }
        return CivicAddress(
            houseNumber: number, houseNumberSuffix: suffix,
            preDirectional: try directional(draft.preDirectional, "pre_directional"), streetName: name, streetType: type,
            postDirectional: try directional(draft.postDirectional, "post_directional"), unit: try unit(draft.unit),
            floor: try level(draft.floor, words: ["FLOOR", "FL"], field: "floor"),
            room: try level(draft.room, words: ["ROOM", "RM"], field: "room"),
            city: city, state: state, zip: try zip(draft.zip)
        )
    }

    // MARK: - Fields

    /// Upper case, commas and periods made spaces (but the periods of initials dropped, so `N.W.` is `NW`), runs
    /// of whitespace made one space; `nil` when nothing is left.
    static func cleaned(_ text: String?) -> String? {
        guard let text else { return nil }
        var plain = ""
        var previous: [Character] = []
        for character in text.uppercased() {
            // A period after a lone letter (`N.`, `.W.`) ends an initial: the next letter joins it.
            let initial = character == "." && previous.last?.isLetter == true
                && (previous.count < 2 || ".,".contains(previous[previous.count - 2]) || previous[previous.count - 2].isWhitespace)
            if !initial { plain.append(character == "." || character == "," ? " " : character) }
            previous.append(character)
        }
        let words = plain.split(whereSeparator: \.isWhitespace)
        return words.isEmpty ? nil : words.joined(separator: " ")
    }

    private static func required(_ text: String?, _ field: String) throws(AddressError) -> String {
        guard let text else { throw AddressError(field: field, "is required") }
        return text
    }

    /// The house number's digits, and any suffix written against them (`123A`).
    private static func houseNumber(_ text: String?) throws(AddressError) -> (Int, String?) {
        let text = try required(cleaned(text), "house_number")
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard let number = Int(digits), (1...9_999_999).contains(number) else {
            throw AddressError(field: "house_number", "must start with a number from 1 to 9999999")
        }
        let rest = text.dropFirst(digits.count).drop { $0 == " " || $0 == "-" }
        return (number, rest.isEmpty ? nil : String(rest))
    }

    private static func houseNumberSuffix(_ text: String?) throws(AddressError) -> String? {
        guard let text else { return nil }
        guard text.count <= 4, text.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "/" }) else {
            throw AddressError(field: "house_number_suffix", "'\(text)' is not a house number suffix (A, 1/2)")
        }
        return text
    }

    private static func directional(_ text: String?, _ field: String) throws(AddressError) -> String? {
        guard let text = cleaned(text) else { return nil }
        guard let directional = Abbreviations.directionals[text] else {
            throw AddressError(field: field, "'\(text)' is not a direction (N, S, E, W, NE, NW, SE, SW)")
        }
        return directional
    }

    /// `Suite 400` → `STE 400`; `#4` → `# 4`; `Rear` → `REAR`; a bare `12` → `# 12`.
    private static func unit(_ text: String?) throws(AddressError) -> String? {
        guard var text = cleaned(text) else { return nil }
        if text.hasPrefix("#") { text = "# " + String(text.dropFirst().drop { $0 == " " }) }
        var words = text.split(separator: " ").map(String.init)
        if let designator = Abbreviations.unitDesignators[words[0]] {
            words[0] = designator
            guard words.count > 1 || Abbreviations.designatorsWithoutNumber.contains(designator) else {
                throw AddressError(field: "unit", "\(designator) needs a number or letter after it")
            }
        } else if words[0] != "#" {
            words.insert("#", at: 0)
        }
        let unit = words.joined(separator: " ")
        guard unit.count <= 20, words.dropFirst().allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }) else {
            throw AddressError(field: "unit", "'\(unit)' is not a unit (STE 400, APT 3B, # 12): at most 20 characters")
        }
        return words.count == 1 && words[0] == "#" ? nil : unit
    }

    /// A floor or room: the leading word (`FLOOR 3`, `RM 12`) dropped.
    private static func level(_ text: String?, words prefixes: [String], field: String) throws(AddressError) -> String? {
        guard let text = cleaned(text) else { return nil }
        var words = text.split(separator: " ").map(String.init)
        if words.count > 1, prefixes.contains(words[0]) { words.removeFirst() }
        let value = words.joined(separator: " ")
        guard value.count <= 10, value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == " " }) else {
            throw AddressError(field: field, "'\(value)' is not a \(field) (at most 10 letters and digits)")
        }
        return value
    }

    private static func zip(_ text: String?) throws(AddressError) -> String {
        let text = try required(cleaned(text), "zip")
        let digits = text.filter { $0 != "-" && $0 != " " }
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count == 5 || digits.count == 9 else {
            throw AddressError(field: "zip", "must be a 5-digit ZIP code or ZIP+4 (20001 or 20001-1234)")
        }
        return digits.count == 5 ? digits : "\(digits.prefix(5))-\(digits.suffix(4))"
    }

    // MARK: - Street lines

    /// Splits a street line into its fields: number (and suffix), pre-directional, name, type,
    /// post-directional, and a unit from the first unit designator or `#` on.
    static func parse(line: String, into draft: inout AddressDraft) throws(AddressError) {
        guard let cleaned = cleaned(line) else { throw AddressError(field: "street", "is empty") }
        var words = cleaned.split(separator: " ").map(String.init)
        guard let first = words.first, first.first?.isNumber == true else {
            throw AddressError(field: "street", "must start with the house number")
        }
        draft.houseNumber = words.removeFirst()
        if let fraction = words.first, fraction.contains("/"), fraction.allSatisfy({ $0.isNumber || $0 == "/" }) {
            draft.houseNumberSuffix = words.removeFirst()
        }
        // The unit: from the first designator or '#' that follows at least one word of the street.
        if let start = words.indices.dropFirst().first(where: {
            Abbreviations.unitDesignators[words[$0]] != nil || words[$0].hasPrefix("#")
        }) {
            draft.unit = words[start...].joined(separator: " ")
            words.removeSubrange(start...)
        }
        // A direction is the street's name when only a type follows it (`20 EAST ST`).
        if words.count > 2 || (words.count == 2 && Abbreviations.streetTypes[words[1]] == nil),
            let direction = Abbreviations.directionals[words[0]]
        {
            draft.preDirectional = direction
            words.removeFirst()
        }
        if words.count > 1, let last = words.last, Abbreviations.directionals[last] != nil {
            draft.postDirectional = words.removeLast()
        }
        if words.count > 1, let last = words.last, Abbreviations.streetTypes[last] != nil {
            draft.streetType = words.removeLast()
        }
        guard !words.isEmpty else { throw AddressError(field: "street", "has no street name") }
        draft.streetName = words.joined(separator: " ")
    }
}
