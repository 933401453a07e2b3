// MARK: - SyntheticNANP

/// A deterministic, synthetic LERG-style dataset of central office codes and thousands-blocks.
///
/// Used for tests, demos and benchmarks where real reference data (LERG, NANPA files) cannot be shipped. Area
/// codes are real US geographic NPAs of each of the 50 states and DC, rate centers are real city and town names
/// of the state, LATA codes are plausible and stable per rate center; operating companies and OCNs are
/// invented. Exchanges (NXX) follow ATIS-0300051: first digit 2-9, never `N11`, and 555, 950, 958, 959 and 976
/// are skipped; each NPA-NXX appears once.
///
/// Iteration is lazy: records are produced one at a time, so a 250,000-exchange (over a million row) dataset
/// costs no memory up front. Every exchange yields one whole-exchange record (`block == nil`); a
/// `pooledFraction` share of exchanges additionally yields ten thousands-block records (ATIS-0300066 number
/// pooling), blocks 0-9, each held by the exchange holder or by another carrier. The same `seed` always
/// produces the same records in the same order. Exchanges are dealt round-robin over the NPAs, starting with
/// one NPA per state, so any dataset of at least 51 exchanges covers every state.
public struct SyntheticNANP: Sendable, Sequence {
    /// The number of exchanges the dataset yields (the requested count, capped at `maximumExchanges`).
    public let exchanges: Int
    /// The share of exchanges split into thousands-blocks.
    public let pooledFraction: Double
    /// The seed that determines every choice.
    public let seed: UInt64

    /// The number of exchanges split into thousands-blocks: `exchanges * pooledFraction`, rounded.
    public let pooledExchanges: Int

    /// The most exchanges the dataset can hold: every valid NXX in every NPA of the table.
    public static let maximumExchanges = SyntheticNANPTable.slots.count * SyntheticNANPTable.exchangeCodes.count

    /// The state codes the dataset covers: the 50 states and DC.
    public static let states: [String] = SyntheticNANPTable.states.map(\.code)

    /// Creates a dataset description; nothing is generated until it is iterated.
    ///
    /// - Parameters:
    ///   - exchanges: how many NPA-NXX codes to yield; more than `maximumExchanges` yields the maximum.
    ///   - pooledFraction: the share (0...1) of exchanges that also yield ten thousands-block records.
    ///   - seed: the seed of the SplitMix64 generator behind every choice.
    public init(exchanges: Int, pooledFraction: Double = 0.4, seed: UInt64 = 2026) {
        precondition(exchanges >= 0, "exchanges must not be negative")
        precondition(pooledFraction >= 0 && pooledFraction <= 1, "pooledFraction must be in 0...1")
        self.exchanges = Swift.min(exchanges, Self.maximumExchanges)
        self.pooledFraction = pooledFraction
        self.seed = seed
        self.pooledExchanges = Swift.min(self.exchanges, Int((Double(self.exchanges) * pooledFraction).rounded()))
    }

    /// The exact number of rows iteration yields: one per exchange plus ten per pooled exchange.
    ///
    /// Computed without iterating.
    public var rowCount: Int {
        exchanges + 10 * pooledExchanges
    }

    /// The exact row count, so collections built from the dataset reserve capacity once.
    public var underestimatedCount: Int {
        rowCount
    }

    /// An iterator producing the records one at a time.
    public func makeIterator() -> Iterator {
        Iterator(self)
    }
}

// MARK: - Iterator

extension SyntheticNANP {
    /// Produces the records of a `SyntheticNANP` lazily, holding only the current exchange.
    public struct Iterator: Sendable, IteratorProtocol {
        private let seed: UInt64
        private let exchanges: Int
        private let pooledExchanges: Int
        private let poolMultiplier: Int
        private let poolOffset: Int

        private var index = 0
        /// The next block to yield for the current exchange; `nil` when the exchange record is next.
        private var nextBlock: UInt8?
        private var current: ExchangeRecord?
        private var random = SplitMix64(seed: 0)

        fileprivate init(_ dataset: SyntheticNANP) {
            seed = dataset.seed
            exchanges = dataset.exchanges
            pooledExchanges = dataset.pooledExchanges
            var mixer = SplitMix64(seed: dataset.seed ^ 0x504F_4F4C_4544)
            let count = Swift.max(dataset.exchanges, 1)
            var multiplier = Int(mixer.next() % UInt64(count))
            while Self.gcd(multiplier, count) != 1 { multiplier = (multiplier + 1) % count }
            poolMultiplier = multiplier
            poolOffset = Int(mixer.next() % UInt64(count))
        }

        /// The next record, or `nil` after the last.
        public mutating func next() -> ExchangeRecord? {
            if let block = nextBlock, var record = current {
                nextBlock = block < 9 ? block + 1 : nil
                record.block = block
                if random.chance(0.35) {
                    return record
                }
                let carrier = SyntheticNANPTable.carriers[random.next(below: SyntheticNANPTable.carriers.count)]
                record.ocn = carrier.ocn
                record.company = carrier.name
                record.companyType = carrier.type
                return record
            }
            guard index < exchanges else { return nil }
            defer { index += 1 }
            let record = makeExchange(index)
            current = record
            nextBlock = isPooled(index) ? 0 : nil
            return record
        }

        private func isPooled(_ index: Int) -> Bool {
            (poolMultiplier * index + poolOffset) % exchanges < pooledExchanges
        }

        private mutating func makeExchange(_ index: Int) -> ExchangeRecord {
            let slots = SyntheticNANPTable.slots
            let codes = SyntheticNANPTable.exchangeCodes
            let slot = slots[index % slots.count]
            let round = index / slots.count

            var slotRandom = SplitMix64(seed: seed &+ UInt64(index % slots.count) &* 0xA24B_AED4_963E_E407)
            // An affine map with a multiplier coprime to the code count is a permutation of the codes.
            var multiplier = 1 + Int(slotRandom.next() % UInt64(codes.count - 1))
            while Self.gcd(multiplier, codes.count) != 1 { multiplier += 1 }
            let offset = Int(slotRandom.next() % UInt64(codes.count))
            let nxx = codes[(multiplier * round + offset) % codes.count]

            random = SplitMix64(seed: seed ^ UInt64(index) &* 0x9FB2_1C65_1E98_DF25)
            let state = SyntheticNANPTable.states[slot.state]
            let rateCenter = random.next(below: state.rateCenters.count)
            var record = ExchangeRecord(
                npa: slot.npa,
                nxx: nxx,
                block: nil,
                state: state.code,
                lata: state.latas[rateCenter % state.latas.count],
                rateCenter: state.rateCenters[rateCenter],
                ocn: state.ilecOCN,
                company: state.ilecName,
                companyType: .ilec
            )
            if random.chance(0.45) {
                let carrier = SyntheticNANPTable.carriers[random.next(below: SyntheticNANPTable.carriers.count)]
                record.ocn = carrier.ocn
                record.company = carrier.name
                record.companyType = carrier.type
            }
            return record
        }

        private static func gcd(_ a: Int, _ b: Int) -> Int {
            var (a, b) = (a, b)
            while b != 0 { (a, b) = (b, a % b) }
            return a
        }
    }
}

// MARK: - Dataset helpers

extension SplitMix64 {
    /// A value in `0..<bound` (the modulo bias is negligible for the small bounds used here).
    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    /// `true` with the given probability.
    mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) * 0x1p-53 < probability
    }
}

// MARK: - Table

/// The static tables behind `SyntheticNANP`.
enum SyntheticNANPTable: Sendable {
    struct State: Sendable {
        let code: String
        let ilecName: String
        let ilecOCN: String
        let latas: [String]
        let npas: [UInt16]
        let rateCenters: [String]
    }

    struct Carrier: Sendable {
        let name: String
        let ocn: String
        let type: CompanyType
    }

    struct Slot: Sendable {
        let npa: UInt16
        let state: Int
    }

    /// Every NXX that may be assigned: 200-999 without N11 codes and without 555, 950, 958, 959, 976.
    static let exchangeCodes: [UInt16] = (200...999).filter { code in
        !NANPCodes.isN11(code) && ![555, 950, 958, 959, 976].contains(code)
    }

    /// The NPAs in dealing order: the first NPA of each state, then the others in table order.
    static let slots: [Slot] = {
        var first: [Slot] = []
        var rest: [Slot] = []
        for (index, state) in states.enumerated() {
            for (position, npa) in state.npas.enumerated() {
                if position == 0 {
                    first.append(Slot(npa: npa, state: index))
                } else {
                    rest.append(Slot(npa: npa, state: index))
                }
            }
        }
        return first + rest
    }()

    /// Invented competitive, wireless, VoIP and other carriers (no real company names).
    static let carriers: [Carrier] = [
        Carrier(name: "Quillfeather Networks LLC", ocn: "532F", type: .clec),
        Carrier(name: "Copperleaf Telecom Inc", ocn: "7411", type: .clec),
        Carrier(name: "Ironbridge Fiber LLC", ocn: "418C", type: .clec),
        Carrier(name: "Harborlight Communications Co", ocn: "2957", type: .clec),
        Carrier(name: "Tallgrass Exchange Co", ocn: "071E", type: .clec),
        Carrier(name: "Cindervale Telecom LLC", ocn: "633H", type: .clec),
        Carrier(name: "Marrowstone Fiber Inc", ocn: "8826", type: .clec),
        Carrier(name: "Kestrel Mobile LLC", ocn: "6214", type: .wireless),
        Carrier(name: "Silverpine Wireless Inc", ocn: "6529", type: .wireless),
        Carrier(name: "Halcyon PCS Co", ocn: "6657", type: .wireless),
        Carrier(name: "Skylark Cellular LP", ocn: "6903", type: .wireless),
        Carrier(name: "Driftwood Wireless LLC", ocn: "6138", type: .wireless),
        Carrier(name: "Northwind Mobile Co", ocn: "6840", type: .wireless),
        Carrier(name: "Lanternfish VoIP LLC", ocn: "058J", type: .ipes),
        Carrier(name: "Foxglove Voice Inc", ocn: "314K", type: .ipes),
        Carrier(name: "Parallax IP Telephony LLC", ocn: "729D", type: .ipes),
        Carrier(name: "Brightquarry Cloud Voice Inc", ocn: "466G", type: .ipes),
        Carrier(name: "Wrenfield Communications LLC", ocn: "903B", type: .ipes),
        Carrier(name: "Pebblecrest Paging Co", ocn: "4471", type: .other),
        Carrier(name: "Juniper Hollow Telephone Resale", ocn: "889A", type: .other),
    ]

    /// The 50 states and DC: a nickname for the invented incumbent, LATAs, real geographic NPAs, real places.
    static let states: [State] = rows.enumerated().map { index, row in
        State(
            code: row.code,
            ilecName: row.nickname + " Bell Telephone Co",
            ilecOCN: String(9102 + index * 7),
            latas: row.latas,
            npas: row.npas,
            rateCenters: row.places
        )
    }

    private typealias Row = (code: String, nickname: String, latas: [String], npas: [UInt16], places: [String])

    private static let rows: [Row] = [
        (
            "AL", "Yellowhammer", ["476", "477", "478", "480"], [205, 251, 256, 334, 659, 938],
            ["BIRMINGHAM", "MONTGOMERY", "MOBILE", "HUNTSVILLE", "TUSCALOOSA", "DOTHAN", "AUBURN", "GADSDEN"]
        ),
        (
            "AK", "Last Frontier", ["832"], [907],
            ["ANCHORAGE", "FAIRBANKS", "JUNEAU", "KETCHIKAN", "SITKA", "KODIAK", "WASILLA", "BETHEL"]
        ),
        (
            "AZ", "Grand Canyon", ["666", "668"], [480, 520, 602, 623, 928],
            ["PHOENIX", "TUCSON", "MESA", "FLAGSTAFF", "YUMA", "PRESCOTT", "SIERRA VISTA", "KINGMAN"]
        ),
        (
            "AR", "Natural State", ["526", "528", "530"], [479, 501, 870, 327],
            ["LITTLE ROCK", "FORT SMITH", "FAYETTEVILLE", "JONESBORO", "PINE BLUFF", "HOT SPRINGS", "CONWAY"]
        ),
        (
            "CA", "Golden State", ["722", "724", "726", "728", "730", "732", "734", "736", "738", "740"],
            [
                209, 213, 279, 310, 323, 341, 350, 408, 415, 424, 442, 510, 530, 559, 562, 619, 626, 628, 650, 657,
                661, 669, 707, 714, 747, 760, 805, 818, 820, 831, 840, 858, 909, 916, 925, 949, 951,
            ],
            [
                "LOS ANGELES", "SAN FRANCISCO", "SAN DIEGO", "SACRAMENTO", "FRESNO", "OAKLAND", "SAN JOSE",
                "BAKERSFIELD", "RIVERSIDE", "STOCKTON", "MODESTO", "SANTA BARBARA", "EUREKA", "REDDING", "SALINAS",
                "PASADENA",
            ]
        ),
        (
            "CO", "Centennial", ["656", "658"], [303, 719, 720, 970, 983],
            ["DENVER", "COLORADO SPRINGS", "PUEBLO", "FORT COLLINS", "BOULDER", "GRAND JUNCTION", "DURANGO"]
        ),
        (
            "CT", "Nutmeg", ["920"], [203, 475, 860, 959],
            ["HARTFORD", "NEW HAVEN", "BRIDGEPORT", "STAMFORD", "WATERBURY", "NORWICH", "NEW LONDON", "DANBURY"]
        ),
        (
            "DE", "First State", ["238"], [302],
            ["WILMINGTON", "DOVER", "NEWARK", "GEORGETOWN", "MILFORD", "SEAFORD", "LEWES"]
        ),
        (
            "DC", "Capital District", ["236"], [202, 771],
            ["WASHINGTON", "GEORGETOWN", "ANACOSTIA", "CAPITOL HILL", "BROOKLAND", "TENLEYTOWN", "FOGGY BOTTOM"]
        ),
        (
            "FL", "Sunshine", ["448", "450", "452", "454", "456", "458", "460", "952", "939", "953"],
            [239, 305, 321, 352, 386, 407, 448, 561, 656, 689, 727, 754, 772, 786, 813, 850, 863, 904, 941, 954],
            [
                "MIAMI", "ORLANDO", "TAMPA", "JACKSONVILLE", "TALLAHASSEE", "PENSACOLA", "GAINESVILLE", "FORT MYERS",
                "SARASOTA", "DAYTONA BEACH", "WEST PALM BEACH", "OCALA", "KEY WEST", "PANAMA CITY",
            ]
        ),
        (
            "GA", "Peach State", ["438", "440", "442", "444", "446"],
            [229, 404, 470, 478, 678, 706, 762, 770, 912, 943],
            ["ATLANTA", "SAVANNAH", "AUGUSTA", "MACON", "COLUMBUS", "ATHENS", "ALBANY", "VALDOSTA", "ROME"]
        ),
        (
            "HI", "Aloha", ["834"], [808],
            ["HONOLULU", "HILO", "KAILUA KONA", "LIHUE", "WAILUKU", "KANEOHE", "PEARL CITY"]
        ),
        (
            "ID", "Gem State", ["652"], [208, 986],
            ["BOISE", "POCATELLO", "IDAHO FALLS", "TWIN FALLS", "COEUR D ALENE", "LEWISTON", "NAMPA"]
        ),
        (
            "IL", "Prairie State", ["350", "352", "354", "356", "358", "360", "362"],
            [217, 224, 309, 312, 331, 447, 464, 618, 630, 708, 773, 779, 815, 847, 872],
            [
                "CHICAGO", "SPRINGFIELD", "PEORIA", "ROCKFORD", "CHAMPAIGN", "JOLIET", "NAPERVILLE", "QUINCY",
                "CARBONDALE", "EVANSTON",
            ]
        ),
        (
            "IN", "Hoosier", ["330", "332", "334", "336", "338"], [219, 260, 317, 463, 574, 765, 812, 930],
            [
                "INDIANAPOLIS", "FORT WAYNE", "EVANSVILLE", "SOUTH BEND", "GARY", "BLOOMINGTON", "LAFAYETTE",
                "MUNCIE", "TERRE HAUTE",
            ]
        ),
        (
            "IA", "Hawkeye", ["630", "632", "634", "635"], [319, 515, 563, 641, 712],
            ["DES MOINES", "CEDAR RAPIDS", "DAVENPORT", "SIOUX CITY", "IOWA CITY", "WATERLOO", "DUBUQUE", "AMES"]
        ),
        (
            "KS", "Sunflower", ["532", "534"], [316, 620, 785, 913],
            ["WICHITA", "TOPEKA", "KANSAS CITY", "OVERLAND PARK", "LAWRENCE", "SALINA", "MANHATTAN", "DODGE CITY"]
        ),
        (
            "KY", "Bluegrass", ["462", "464", "466"], [270, 364, 502, 606, 859],
            ["LOUISVILLE", "LEXINGTON", "BOWLING GREEN", "OWENSBORO", "PADUCAH", "COVINGTON", "FRANKFORT"]
        ),
        (
            "LA", "Pelican", ["486", "488", "490", "492"], [225, 318, 337, 504, 985],
            ["NEW ORLEANS", "BATON ROUGE", "SHREVEPORT", "LAFAYETTE", "LAKE CHARLES", "MONROE", "HOUMA"]
        ),
        (
            "ME", "Pine Tree", ["120"], [207],
            ["PORTLAND", "BANGOR", "AUGUSTA", "LEWISTON", "BIDDEFORD", "PRESQUE ISLE", "WATERVILLE"]
        ),
        (
            "MD", "Old Line", ["238", "240", "242"], [240, 301, 410, 443, 667],
            ["BALTIMORE", "ANNAPOLIS", "FREDERICK", "HAGERSTOWN", "SALISBURY", "ROCKVILLE", "CUMBERLAND"]
        ),
        (
            "MA", "Bay State", ["126", "128"], [339, 351, 413, 508, 617, 774, 781, 857, 978],
            ["BOSTON", "WORCESTER", "SPRINGFIELD", "LOWELL", "CAMBRIDGE", "NEW BEDFORD", "PITTSFIELD", "HYANNIS"]
        ),
        (
            "MI", "Great Lakes", ["340", "342", "344", "346", "348"],
            [231, 248, 269, 313, 517, 586, 616, 679, 734, 810, 906, 947, 989],
            [
                "DETROIT", "GRAND RAPIDS", "LANSING", "FLINT", "ANN ARBOR", "KALAMAZOO", "SAGINAW", "MARQUETTE",
                "TRAVERSE CITY",
            ]
        ),
        (
            "MN", "North Star", ["620", "624", "626", "628"], [218, 320, 507, 612, 651, 763, 952],
            ["MINNEAPOLIS", "SAINT PAUL", "DULUTH", "ROCHESTER", "SAINT CLOUD", "MANKATO", "MOORHEAD", "BEMIDJI"]
        ),
        (
            "MS", "Magnolia", ["482", "484"], [228, 601, 662, 769],
            ["JACKSON", "GULFPORT", "BILOXI", "HATTIESBURG", "TUPELO", "MERIDIAN", "GREENVILLE", "OXFORD"]
        ),
        (
            "MO", "Show-Me", ["520", "521", "522", "524"], [314, 417, 557, 573, 636, 660, 816, 975],
            [
                "SAINT LOUIS", "KANSAS CITY", "SPRINGFIELD", "COLUMBIA", "JEFFERSON CITY", "JOPLIN",
                "CAPE GIRARDEAU", "SAINT JOSEPH",
            ]
        ),
        (
            "MT", "Treasure State", ["648", "650"], [406],
            ["BILLINGS", "MISSOULA", "GREAT FALLS", "BOZEMAN", "BUTTE", "HELENA", "KALISPELL"]
        ),
        (
            "NE", "Cornhusker", ["644", "646"], [308, 402, 531],
            ["OMAHA", "LINCOLN", "GRAND ISLAND", "KEARNEY", "NORTH PLATTE", "SCOTTSBLUFF", "NORFOLK"]
        ),
        (
            "NV", "Silver State", ["720", "721"], [702, 725, 775],
            ["LAS VEGAS", "RENO", "HENDERSON", "CARSON CITY", "ELKO", "SPARKS", "PAHRUMP", "WINNEMUCCA"]
        ),
        (
            "NH", "Granite State", ["122"], [603],
            ["MANCHESTER", "NASHUA", "CONCORD", "PORTSMOUTH", "KEENE", "DOVER", "LACONIA", "LEBANON"]
        ),
        (
            "NJ", "Garden State", ["220", "222", "224"], [201, 551, 609, 640, 732, 848, 856, 862, 908, 973],
            [
                "NEWARK", "TRENTON", "JERSEY CITY", "PATERSON", "CAMDEN", "ATLANTIC CITY", "NEW BRUNSWICK",
                "MORRISTOWN", "TOMS RIVER", "HACKENSACK",
            ]
        ),
        (
            "NM", "Enchantment", ["664"], [505, 575],
            ["ALBUQUERQUE", "SANTA FE", "LAS CRUCES", "ROSWELL", "FARMINGTON", "GALLUP", "CLOVIS", "TAOS"]
        ),
        (
            "NY", "Empire", ["132", "133", "134", "136", "138", "140"],
            [
                212, 315, 332, 347, 363, 516, 518, 585, 607, 631, 646, 680, 716, 718, 838, 845, 914, 917, 929, 934,
            ],
            [
                "NEW YORK CITY", "BUFFALO", "ROCHESTER", "SYRACUSE", "ALBANY", "BINGHAMTON", "UTICA", "POUGHKEEPSIE",
                "WHITE PLAINS", "HEMPSTEAD", "ITHACA", "PLATTSBURGH",
            ]
        ),
        (
            "NC", "Tar Heel", ["420", "422", "424", "426", "428"], [252, 336, 704, 743, 828, 910, 919, 980, 984],
            [
                "CHARLOTTE", "RALEIGH", "GREENSBORO", "DURHAM", "WINSTON SALEM", "ASHEVILLE", "WILMINGTON",
                "FAYETTEVILLE",
            ]
        ),
        (
            "ND", "Peace Garden", ["636", "638"], [701],
            ["FARGO", "BISMARCK", "GRAND FORKS", "MINOT", "WILLISTON", "DICKINSON", "JAMESTOWN"]
        ),
        (
            "OH", "Buckeye", ["320", "322", "324", "325", "326", "328"],
            [216, 220, 234, 283, 326, 330, 380, 419, 436, 440, 513, 567, 614, 740, 937],
            [
                "COLUMBUS", "CLEVELAND", "CINCINNATI", "TOLEDO", "AKRON", "DAYTON", "YOUNGSTOWN", "CANTON", "LIMA",
                "SANDUSKY",
            ]
        ),
        (
            "OK", "Sooner", ["536", "538"], [405, 539, 572, 580, 918],
            ["OKLAHOMA CITY", "TULSA", "NORMAN", "LAWTON", "ENID", "STILLWATER", "MUSKOGEE", "ARDMORE"]
        ),
        (
            "OR", "Beaver State", ["670", "672"], [458, 503, 541, 971],
            ["PORTLAND", "EUGENE", "SALEM", "BEND", "MEDFORD", "CORVALLIS", "PENDLETON", "ASTORIA"]
        ),
        (
            "PA", "Keystone", ["226", "228", "230", "232", "234"],
            [215, 223, 267, 272, 412, 445, 484, 570, 582, 610, 717, 724, 814, 835, 878],
            [
                "PHILADELPHIA", "PITTSBURGH", "HARRISBURG", "ALLENTOWN", "ERIE", "SCRANTON", "READING", "LANCASTER",
                "ALTOONA", "STATE COLLEGE", "WILKES BARRE",
            ]
        ),
        (
            "RI", "Ocean State", ["130"], [401],
            ["PROVIDENCE", "WARWICK", "NEWPORT", "PAWTUCKET", "WOONSOCKET", "WESTERLY", "CRANSTON"]
        ),
        (
            "SC", "Palmetto", ["430", "432", "434", "436"], [803, 839, 843, 854, 864],
            ["COLUMBIA", "CHARLESTON", "GREENVILLE", "SPARTANBURG", "MYRTLE BEACH", "FLORENCE", "ROCK HILL", "AIKEN"]
        ),
        (
            "SD", "Mount Rushmore", ["640"], [605],
            ["SIOUX FALLS", "RAPID CITY", "ABERDEEN", "BROOKINGS", "WATERTOWN", "PIERRE", "MITCHELL", "YANKTON"]
        ),
        (
            "TN", "Volunteer", ["468", "470", "472", "474"], [423, 615, 629, 731, 865, 901, 931],
            [
                "NASHVILLE", "MEMPHIS", "KNOXVILLE", "CHATTANOOGA", "JACKSON", "CLARKSVILLE", "JOHNSON CITY",
                "MURFREESBORO",
            ]
        ),
        (
            "TX", "Lone Star",
            ["540", "542", "544", "546", "548", "550", "552", "554", "556", "558", "560", "562", "564", "566", "568"],
            [
                210, 214, 254, 281, 325, 346, 361, 409, 430, 432, 469, 512, 682, 713, 726, 737, 806, 817, 830, 832,
                903, 915, 936, 940, 945, 956, 972, 979,
            ],
            [
                "HOUSTON", "DALLAS", "SAN ANTONIO", "AUSTIN", "FORT WORTH", "EL PASO", "LUBBOCK", "AMARILLO",
                "CORPUS CHRISTI", "MIDLAND", "WACO", "BEAUMONT", "TYLER", "ABILENE", "BROWNSVILLE", "LAREDO",
            ]
        ),
        (
            "UT", "Beehive", ["660"], [385, 435, 801],
            ["SALT LAKE CITY", "PROVO", "OGDEN", "SAINT GEORGE", "LOGAN", "MOAB", "CEDAR CITY", "VERNAL"]
        ),
        (
            "VT", "Green Mountain", ["124"], [802],
            ["BURLINGTON", "MONTPELIER", "RUTLAND", "BRATTLEBORO", "SAINT JOHNSBURY", "BENNINGTON", "BARRE"]
        ),
        (
            "VA", "Old Dominion", ["244", "246", "248", "250", "252"],
            [276, 434, 540, 571, 686, 703, 757, 804, 826, 948],
            [
                "RICHMOND", "NORFOLK", "ROANOKE", "ARLINGTON", "LYNCHBURG", "CHARLOTTESVILLE", "VIRGINIA BEACH",
                "ALEXANDRIA", "HARRISONBURG", "BRISTOL",
            ]
        ),
        (
            "WA", "Evergreen", ["674", "676"], [206, 253, 360, 425, 509, 564],
            [
                "SEATTLE", "SPOKANE", "TACOMA", "OLYMPIA", "BELLINGHAM", "YAKIMA", "WENATCHEE", "EVERETT",
                "VANCOUVER",
            ]
        ),
        (
            "WV", "Mountain State", ["254", "256"], [304, 681],
            ["CHARLESTON", "HUNTINGTON", "MORGANTOWN", "WHEELING", "PARKERSBURG", "BECKLEY", "CLARKSBURG"]
        ),
        (
            "WI", "Badger", ["364", "366", "368", "370"], [262, 274, 353, 414, 534, 608, 715, 920],
            ["MILWAUKEE", "MADISON", "GREEN BAY", "EAU CLAIRE", "LA CROSSE", "WAUSAU", "APPLETON", "KENOSHA"]
        ),
        (
            "WY", "Equality State", ["654"], [307],
            ["CHEYENNE", "CASPER", "LARAMIE", "GILLETTE", "ROCK SPRINGS", "SHERIDAN", "CODY"]
        ),
    ]
}
