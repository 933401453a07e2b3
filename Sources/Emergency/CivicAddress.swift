/// A civic address as 911 needs it: the NENA CLDXF (NENA-STA-004) fields a PSAP dispatches to, with the
/// floor, unit and room that make it a dispatchable location (RAY BAUM'S Act).
///
/// Values are kept as normalized text (``AddressNormalizer``): upper case, USPS Publication 28 abbreviations.
public struct CivicAddress: Sendable, Hashable, Codable {
    /// The house number (CLDXF `Add_Number`), 1 to 9,999,999.
    public var houseNumber: Int
    /// What follows the number: `1/2`, `A` (CLDXF `AddNum_Suf`).
    public var houseNumberSuffix: String?
    /// `N`, `NE`, ... before the street name (CLDXF `St_PreDir`).
    public var preDirectional: String?
    /// The street's name (CLDXF `St_Name`): `MAIN`, `MARTIN LUTHER KING JR`.
    public var streetName: String
    /// The street type after the name (CLDXF `St_PosTyp`): `ST`, `AVE`, `BLVD`.
    public var streetType: String?
    /// `N`, `SW`, ... after the street name and type (CLDXF `St_PosDir`).
    public var postDirectional: String?
    /// The unit within the building, designator and number: `STE 400`, `APT 3B` (CLDXF `Unit`).
    public var unit: String?
    /// The floor (CLDXF `Floor`): `3`, `B1`.
    public var floor: String?
    /// The room (CLDXF `Room`).
    public var room: String?
    /// The city or community (CLDXF `Inc_Muni`/`Post_Comm`), as the MSAG names it.
    public var city: String
    /// The two-letter state (CLDXF `State`).
    public var state: String
    /// The ZIP code, 5 digits or ZIP+4 (`20001` or `20001-1234`).
    public var zip: String

    public init(
        houseNumber: Int, houseNumberSuffix: String? = nil, preDirectional: String? = nil, streetName: String,
        streetType: String? = nil, postDirectional: String? = nil, unit: String? = nil, floor: String? = nil,
        room: String? = nil, city: String, state: String, zip: String
    ) {
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

    /// The street as the MSAG and USPS write it: `N MAIN ST SE`.
    public var street: String {
        [preDirectional, streetName, streetType, postDirectional].compactMap { $0 }.joined(separator: " ")
    }

    /// The address on one line: `1600 N MAIN ST STE 400, FL 3, RM 12, WASHINGTON DC 20001`.
    public var line: String {
        let number = [String(houseNumber), houseNumberSuffix].compactMap { $0 }.joined(separator: " ")
        let within = [unit, floor.map { "FL \($0)" }, room.map { "RM \($0)" }].compactMap { $0 }
        return ([number + " " + street] + within + ["\(city) \(state) \(zip)"]).joined(separator: ", ")
    }
}

/// Why an address cannot be used: a sentence that names the field.
public struct AddressError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field at fault, as the API names it (`house_number`, `street_name`, `zip`, ...).
    public var field: String
    public var reason: String

    public init(field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}

// MARK: - PIDF-LO

extension CivicAddress {
    /// The address as a PIDF-LO document (RFC 4119), civic form (RFC 5139): what an emergency provider
    /// dereferences from a call's `Geolocation` header (RFC 6442).
    public func pidfLO(id: String) -> String {
        let fields: [(String, String?)] = [
            ("country", "US"), ("A1", state), ("A3", city), ("PRD", preDirectional), ("RD", streetName),
            ("STS", streetType), ("POD", postDirectional), ("HNO", String(houseNumber)), ("HNS", houseNumberSuffix),
            ("UNIT", unit), ("FLR", floor), ("ROOM", room), ("PC", zip),
        ]
        let civic = fields.compactMap { name, value in value.map { "<ca:\(name)>\(Self.escaped($0))</ca:\(name)>" } }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" \
            xmlns:ca="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr" entity="pres:\(Self.escaped(id))@tandem">
            <tuple id="\(Self.escaped(id))"><status><gp:geopriv><gp:location-info><ca:civicAddress xml:lang="en-US">\
            \(civic.joined())</ca:civicAddress></gp:location-info><gp:usage-rules/><gp:method>Manual</gp:method>\
            </gp:geopriv></status></tuple>
            </presence>

            """
    }

    private static func escaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
