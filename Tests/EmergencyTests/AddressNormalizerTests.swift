import Emergency
import Testing

/// A street line and city/state/ZIP as typed, and the normalized one-line address expected.
struct LineVector: Sendable, CustomTestStringConvertible {
    var street: String
    var city = "Washington"
    var state = "DC"
    var zip = "20001"
    var expected: String

    init(_ street: String, city: String = "Washington", state: String = "DC", zip: String = "20001", _ expected: String) {
        self.street = street
        self.city = city
        self.state = state
        self.zip = zip
        self.expected = expected
    }

    var testDescription: String { street }
}

let lineVectors: [LineVector] = [
    // Street types (USPS Publication 28, Appendix C1), full words and variants.
    LineVector("1600 Main Street", "1600 MAIN ST, WASHINGTON DC 20001"),
    LineVector("1600 Main St.", "1600 MAIN ST, WASHINGTON DC 20001"),
    LineVector("1600 main str", "1600 MAIN ST, WASHINGTON DC 20001"),
    LineVector("12 Oak Avenue", "12 OAK AVE, WASHINGTON DC 20001"),
    LineVector("12 Oak Av", "12 OAK AVE, WASHINGTON DC 20001"),
    LineVector("12 Oak Avnue", "12 OAK AVE, WASHINGTON DC 20001"),
    LineVector("9 Sunset Boulevard", "9 SUNSET BLVD, WASHINGTON DC 20001"),
    LineVector("9 Sunset Boul", "9 SUNSET BLVD, WASHINGTON DC 20001"),
    LineVector("44 Harbor Drive", "44 HARBOR DR, WASHINGTON DC 20001"),
    LineVector("44 Pine Court", "44 PINE CT, WASHINGTON DC 20001"),
    LineVector("5 Elm Lane", "5 ELM LN, WASHINGTON DC 20001"),
    LineVector("5 Elm Road", "5 ELM RD, WASHINGTON DC 20001"),
    LineVector("5 Elm Place", "5 ELM PL, WASHINGTON DC 20001"),
    LineVector("5 Elm Terrace", "5 ELM TER, WASHINGTON DC 20001"),
    LineVector("5 Elm Circle", "5 ELM CIR, WASHINGTON DC 20001"),
    LineVector("5 Elm Crcl", "5 ELM CIR, WASHINGTON DC 20001"),
    LineVector("7 Ridge Parkway", "7 RIDGE PKWY, WASHINGTON DC 20001"),
    LineVector("7 Valley Highway", "7 VALLEY HWY, WASHINGTON DC 20001"),
    LineVector("7 Lake Expressway", "7 LAKE EXPY, WASHINGTON DC 20001"),
    LineVector("7 Mill Turnpike", "7 MILL TPKE, WASHINGTON DC 20001"),
    LineVector("7 Town Square", "7 TOWN SQ, WASHINGTON DC 20001"),
    LineVector("7 Union Plaza", "7 UNION PLZ, WASHINGTON DC 20001"),
    LineVector("7 Rock Creek Crossing", "7 ROCK CREEK XING, WASHINGTON DC 20001"),
    LineVector("7 Trade Center", "7 TRADE CTR, WASHINGTON DC 20001"),
    LineVector("7 Cedar Heights", "7 CEDAR HTS, WASHINGTON DC 20001"),
    LineVector("7 Apple Way", "7 APPLE WAY, WASHINGTON DC 20001"),
    LineVector("7 Post Alley", "7 POST ALY, WASHINGTON DC 20001"),
    LineVector("7 Fox Hollow", "7 FOX HOLW, WASHINGTON DC 20001"),
    // Directionals before and after the name.
    LineVector("100 North Capitol Street", "100 N CAPITOL ST, WASHINGTON DC 20001"),
    LineVector("100 N. Capitol St.", "100 N CAPITOL ST, WASHINGTON DC 20001"),
    LineVector("1100 Pennsylvania Avenue Northwest", "1100 PENNSYLVANIA AVE NW, WASHINGTON DC 20001"),
    LineVector("1100 Pennsylvania Ave NW", "1100 PENNSYLVANIA AVE NW, WASHINGTON DC 20001"),
    LineVector("1100 Pennsylvania Ave. N.W.", "1100 PENNSYLVANIA AVE NW, WASHINGTON DC 20001"),
    LineVector("1100 Pennsylvania Ave.,N.W.", "1100 PENNSYLVANIA AVE NW, WASHINGTON DC 20001"),
    LineVector("20 Southeast Water Street", "20 SE WATER ST, WASHINGTON DC 20001"),
    LineVector("20 South West Street", "20 S WEST ST, WASHINGTON DC 20001"),
    LineVector("20 East Street", "20 EAST ST, WASHINGTON DC 20001"),
    LineVector("20 North", "20 NORTH, WASHINGTON DC 20001"),
    // House number suffixes.
    LineVector("123 1/2 Main St", "123 1/2 MAIN ST, WASHINGTON DC 20001"),
    LineVector("123A Main St", "123 A MAIN ST, WASHINGTON DC 20001"),
    LineVector("123-B Main St", "123 B MAIN ST, WASHINGTON DC 20001"),
    // Secondary units (Appendix C2).
    LineVector("1600 Main St Suite 400", "1600 MAIN ST, STE 400, WASHINGTON DC 20001"),
    LineVector("1600 Main St, Suite 400", "1600 MAIN ST, STE 400, WASHINGTON DC 20001"),
    LineVector("1600 Main St Ste. 400", "1600 MAIN ST, STE 400, WASHINGTON DC 20001"),
    LineVector("1600 Main St Apartment 3B", "1600 MAIN ST, APT 3B, WASHINGTON DC 20001"),
    LineVector("1600 Main St Apt 3B", "1600 MAIN ST, APT 3B, WASHINGTON DC 20001"),
    LineVector("1600 Main St #12", "1600 MAIN ST, # 12, WASHINGTON DC 20001"),
    LineVector("1600 Main St # 12", "1600 MAIN ST, # 12, WASHINGTON DC 20001"),
    LineVector("1600 Main St Building 7", "1600 MAIN ST, BLDG 7, WASHINGTON DC 20001"),
    LineVector("1600 Main St Rear", "1600 MAIN ST, REAR, WASHINGTON DC 20001"),
    LineVector("1600 Main St Basement", "1600 MAIN ST, BSMT, WASHINGTON DC 20001"),
    LineVector("1600 Main St Penthouse", "1600 MAIN ST, PH, WASHINGTON DC 20001"),
    LineVector("1600 Main St Unit 5", "1600 MAIN ST, UNIT 5, WASHINGTON DC 20001"),
    LineVector("1600 Main St Trailer 9", "1600 MAIN ST, TRLR 9, WASHINGTON DC 20001"),
    LineVector("1600 N Main St SE Suite 400", "1600 N MAIN ST SE, STE 400, WASHINGTON DC 20001"),
    // Names that are also abbreviations, and multi-word names.
    LineVector("3 Park Avenue", "3 PARK AVE, WASHINGTON DC 20001"),
    LineVector("3 Court Street", "3 COURT ST, WASHINGTON DC 20001"),
    LineVector("3 Martin Luther King Jr Avenue SE", "3 MARTIN LUTHER KING JR AVE SE, WASHINGTON DC 20001"),
    LineVector("3 Avenue of the Americas", "3 AVENUE OF THE AMERICAS, WASHINGTON DC 20001"),
    // Spacing, case, city, state and ZIP.
    LineVector("  1600   main    street  ", city: " new  york ", state: "new york", zip: "10001-1234", "1600 MAIN ST, NEW YORK NY 10001-1234"),
    LineVector("1 Infinite Loop", city: "Cupertino", state: "California", zip: "950141234", "1 INFINITE LOOP, CUPERTINO CA 95014-1234"),
    LineVector("1 Calle Luna", city: "San Juan", state: "Puerto Rico", zip: "00901", "1 CALLE LUNA, SAN JUAN PR 00901"),
    LineVector("1 Main St", city: "Washington", state: "district of columbia", zip: "20001", "1 MAIN ST, WASHINGTON DC 20001"),
]

@Suite("Address normalization (USPS Publication 28)")
struct AddressNormalizerTests {
    @Test("street lines normalize to USPS form", arguments: lineVectors)
    func lines(vector: LineVector) throws {
        let address = try AddressNormalizer.normalize(AddressDraft(
            street: vector.street, city: vector.city, state: vector.state, zip: vector.zip
        ))
        #expect(address.line == vector.expected)
    }

    @Test("has at least 50 cases")
    func count() {
        #expect(lineVectors.count >= 50)
    }

    @Test("fields given one by one normalize like a line, floor and room included")
    func fields() throws {
        let address = try AddressNormalizer.normalize(AddressDraft(
            houseNumber: "1600", preDirectional: "north", streetName: "Main Street", postDirectional: "South East",
            unit: "suite 400", floor: "Floor 3", room: "Room 12", city: "Washington", state: "dc", zip: "20001"
        ))
        #expect(address == CivicAddress(
            houseNumber: 1600, preDirectional: "N", streetName: "MAIN", streetType: "ST", postDirectional: "SE",
            unit: "STE 400", floor: "3", room: "12", city: "WASHINGTON", state: "DC", zip: "20001"
        ))
        #expect(address.line == "1600 N MAIN ST SE, STE 400, FL 3, RM 12, WASHINGTON DC 20001")
    }

    @Test("bad input names the field", arguments: [
        (AddressDraft(street: "Main Street", city: "Washington", state: "DC", zip: "20001"), "street"),
        (AddressDraft(street: "0 Main St", city: "Washington", state: "DC", zip: "20001"), "house_number"),
        (AddressDraft(houseNumber: "12", city: "Washington", state: "DC", zip: "20001"), "street_name"),
        (AddressDraft(houseNumber: "12", streetName: "Main", streetType: "Strasse", city: "Washington", state: "DC", zip: "20001"), "street_type"),
        (AddressDraft(houseNumber: "12", preDirectional: "Up", streetName: "Main", city: "Washington", state: "DC", zip: "20001"), "pre_directional"),
        (AddressDraft(street: "12 Main St", state: "DC", zip: "20001"), "city"),
        (AddressDraft(street: "12 Main St", city: "Washington", state: "Ontario", zip: "20001"), "state"),
        (AddressDraft(street: "12 Main St", city: "Washington", state: "DC", zip: "2001"), "zip"),
        (AddressDraft(street: "12 Main St", city: "Washington", state: "DC", zip: "20001-12"), "zip"),
        (AddressDraft(street: "12 Main St", city: "Washington", state: "DC"), "zip"),
        (AddressDraft(street: "12 Main St Suite", city: "Washington", state: "DC", zip: "20001"), "unit"),
        (AddressDraft(street: "12 Main St", floor: "the top floor of the tower", city: "Washington", state: "DC", zip: "20001"), "floor"),
        (AddressDraft(street: "12 Main St", city: "Washington 2", state: "DC", zip: "20001"), "city"),
        (AddressDraft(street: "   ", city: "Washington", state: "DC", zip: "20001"), "street"),
    ] as [(AddressDraft, String)])
    func errors(draft: AddressDraft, field: String) {
        #expect(throws: AddressError.self) {
            do throws(AddressError) {
                _ = try AddressNormalizer.normalize(draft)
            } catch {
                #expect(error.field == field, "\(error)")
                throw error
            }
        }
    }
}

@Suite("PIDF-LO")
struct PIDFLOTests {
    @Test("the civic address becomes RFC 5139 elements, escaped, with absent fields left out")
    func document() throws {
        let address = try AddressNormalizer.normalize(AddressDraft(
            street: "400 N Capitol St, Suite 12", floor: "3", city: "Washington", state: "DC", zip: "20001"
        ))
        let xml = address.pidfLO(id: "adr_1")
        #expect(xml.contains(#"<tuple id="adr_1">"#))
        #expect(xml.contains("<ca:country>US</ca:country><ca:A1>DC</ca:A1><ca:A3>WASHINGTON</ca:A3><ca:PRD>N</ca:PRD>"
            + "<ca:RD>CAPITOL</ca:RD><ca:STS>ST</ca:STS><ca:HNO>400</ca:HNO><ca:UNIT>STE 12</ca:UNIT><ca:FLR>3</ca:FLR>"
            + "<ca:PC>20001</ca:PC>"))
        #expect(!xml.contains("<ca:POD>") && !xml.contains("<ca:ROOM>"))
        var odd = address
        odd.streetName = "A&B <C>"
        #expect(odd.pidfLO(id: "x").contains("<ca:RD>A&amp;B &lt;C&gt;</ca:RD>"))
    }
}
